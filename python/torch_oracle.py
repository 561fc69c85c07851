#!/usr/bin/env python3
"""PyTorch oracle for Lepton's layer, loss and optimizer tests.

Same line protocol as ``oracle.py`` (one JSON request per line in, one JSON response per line
out; tensors as base64 little-endian buffers). Ops live in the modules of ``torch_ops/``:
each module defines ``OPS = {"name": function}``, where ``function(inputs, attrs)`` takes a
list of NumPy arrays and a dict and returns a list of NumPy arrays. The dispatcher collects
every module's ``OPS`` at start-up.

On start-up the process writes ``{"ready": true, "numpy": ..., "torch": ...}``, or an error
line when NumPy or PyTorch is missing.
"""

import importlib
import json
import os
import pkgutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from oracle import decode, emit, encode  # noqa: E402  (shared wire format)

try:
    import numpy as np
    import torch
    _IMPORT_ERROR = None
except Exception as error:  # reported on the first line
    _IMPORT_ERROR = error


def load_ops():
    import torch_ops
    ops = {}
    for info in pkgutil.iter_modules(torch_ops.__path__):
        module = importlib.import_module(f"torch_ops.{info.name}")
        for name, fn in getattr(module, "OPS", {}).items():
            if name in ops:
                raise RuntimeError(f"op {name} is defined twice (torch_ops.{info.name})")
            ops[name] = fn
    return ops


def main():
    if _IMPORT_ERROR is not None:
        emit({"error": f"PyTorch/NumPy are not installed for {sys.executable} ({_IMPORT_ERROR}); run scripts/setup.sh"})
        return 1
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    ops = load_ops()
    emit({"ready": True, "numpy": np.__version__, "torch": torch.__version__})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
            op = request["op"]
            if op not in ops:
                raise KeyError(f"unknown op {op!r}; known: {sorted(ops)}")
            inputs = [decode(spec) for spec in request.get("inputs", [])]
            outputs = ops[op](inputs, request.get("attrs") or {})
            response = {"outputs": [encode(np.asarray(o)) for o in outputs]}
        except Exception as error:
            response = {"error": f"{type(error).__name__}: {error}"}
        emit(response)
    return 0


if __name__ == "__main__":
    sys.exit(main())
