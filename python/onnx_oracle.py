#!/usr/bin/env python3
"""onnxruntime oracle for Lepton's ONNX export tests.

Same line protocol as ``oracle.py`` (one JSON request per line in, one JSON response per line
out; tensors as base64 little-endian buffers), so ``LeptonTestSupport.NumPyOracle`` drives it.

Ops:

``run``  attrs ``{"model": "/path/model.onnx"}``, inputs: one tensor per graph input, in the
         graph's order. The model is first checked with ``onnx.checker.check_model(full_check=True)``
         (which also runs strict shape inference); then it runs in onnxruntime (CPU, one thread)
         and the outputs come back in the graph's order. Inputs are cast to the element type each
         graph input declares (Lepton sends float32 and int32). A ``STRING`` graph input (a model
         that takes sentences) is fed the list ``attrs["texts"]`` instead of a tensor. Checked
         models and sessions are cached by path and modification time.
``check`` attrs ``{"model": ...}``: only the checker; returns no outputs.

On start-up the process writes ``{"ready": true, "numpy": ..., "onnx": ..., "onnxruntime": ...}``,
or an error line when one of them is missing.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from oracle import decode, emit, encode  # noqa: E402  (shared wire format)

try:
    import numpy as np
    import onnx
    import onnxruntime as ort
    _IMPORT_ERROR = None
except Exception as error:  # reported on the first line
    _IMPORT_ERROR = error

# ONNX element type strings as onnxruntime reports them -> NumPy dtypes.
_ORT_TYPES = {
    "tensor(float)": "float32",
    "tensor(double)": "float64",
    "tensor(int32)": "int32",
    "tensor(int64)": "int64",
    "tensor(int8)": "int8",
    "tensor(uint8)": "uint8",
    "tensor(bool)": "bool",
}

_sessions = {}


def session(path):
    key = (path, os.path.getmtime(path))
    if key not in _sessions:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        _sessions[key] = ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    return _sessions[key]


def run(inputs, attrs):
    sess = session(attrs["model"])
    declared = sess.get_inputs()
    numeric = [spec for spec in declared if spec.type != "tensor(string)"]
    if len(inputs) != len(numeric):
        raise ValueError(f"the model has {len(numeric)} numeric inputs ({[i.name for i in numeric]}), got {len(inputs)} tensors")
    feeds = {}
    for spec in declared:
        if spec.type == "tensor(string)":
            if "texts" not in attrs:
                raise ValueError(f"input {spec.name} takes strings; pass them as attrs['texts']")
            feeds[spec.name] = np.array(attrs["texts"], dtype=object)
    for spec, array in zip(numeric, inputs):
        dtype = _ORT_TYPES.get(spec.type)
        if dtype is None:
            raise ValueError(f"input {spec.name} has type {spec.type}, which the oracle does not feed")
        feeds[spec.name] = array.astype(dtype)
    return [np.asarray(o) for o in sess.run(None, feeds)]


def check(inputs, attrs):
    onnx.checker.check_model(onnx.load(attrs["model"]), full_check=True)
    return []


OPS = {"run": run, "check": check}


def main():
    if _IMPORT_ERROR is not None:
        emit({"error": f"onnx/onnxruntime/NumPy are not installed for {sys.executable} ({_IMPORT_ERROR}); run scripts/setup.sh"})
        return 1
    emit({"ready": True, "numpy": np.__version__, "onnx": onnx.__version__, "onnxruntime": ort.__version__})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
            op = request["op"]
            if op not in OPS:
                raise KeyError(f"unknown op {op!r}; known: {sorted(OPS)}")
            inputs = [decode(spec) for spec in request.get("inputs", [])]
            outputs = OPS[op](inputs, request.get("attrs") or {})
            response = {"outputs": [encode(o) for o in outputs]}
        except Exception as error:
            response = {"error": f"{type(error).__name__}: {error}"}
        emit(response)
    return 0


if __name__ == "__main__":
    sys.exit(main())
