#!/usr/bin/env python3
"""Runs ONNX models in Lepton and in ONNX Runtime on the same seeded inputs and compares them.

    python3 scripts/onnx_compare.py [--lepton PATH] [--repeat N] [--serve] [--json FILE] MODEL.onnx...
    python3 scripts/onnx_compare.py $(scripts/onnx_models.sh)        # the real models of the README

For each model the inputs are made from its signature: a symbolic dimension becomes 1 when it
leads a rank > 1 input, else a size from the table below (or 64); floats are uniform in [-1, 1]
(images, rank 4, in [0, 1]; PAGES below get a synthetic page of text-like strokes); integers are small (a sample rate `sr` is 16000; magika's bytes
0..256). The inputs are written as one .npz, given to `lepton predict MODEL IN.npz --output-npz
OUT.npz --threads 1`, and run in ONNX Runtime (CPU, one thread). With --serve the model is also
served by `lepton serve` (one thread) and the same inputs are sent over the KServe V2 binary
protocol (tritonclient); the served outputs are compared too and the request time measured.

Relative difference of an output: max |lepton - ort| / max |ort| (the output's scale; 0 when
both are all zero); integer outputs must be equal. Times: the median of --repeat runs: ORT's
`session.run`; Lepton's forward pass as `lepton predict` reports it, or with --serve the served
request (HTTP and encoding included). Exits 1 when an output differs by more than --tolerance.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

# Sizes for symbolic dimensions that the model needs to be sensible (by model file name and
# input name, then dimension index); everything else follows the rules above.
SIZES = {
    ("silero_vad.onnx", "input"): {1: 512},
    ("silero_vad.onnx", "state"): {1: 1},
    ("silero_vad_16k_sequence.onnx", "input"): {0: 4},
    ("ch_PP-OCRv4_det_infer.onnx", "x"): {2: 96, 3: 128},
    ("ch_PP-OCRv4_rec_infer.onnx", "x"): {2: 48, 3: 160},
    ("ch_ppocr_mobile_v2.0_cls_infer.onnx", "x"): {2: 48, 3: 192},
    ("320n.onnx", "images"): {2: 320, 3: 320},
    ("melspectrogram.onnx", "input"): {1: 1760},
    ("common.onnx", "input1"): {3: 128},
}
# Models whose outputs on noise are all in a function's tail (PP-OCR's text detector answers
# sigmoid(-17 … -40) < 3e-8 everywhere, where ONNX Runtime's approximate sigmoid gives 0): their
# image input is a seeded synthetic page instead — dark strokes on a light ground, ImageNet-normalised.
PAGES = {("ch_PP-OCRv4_det_infer.onnx", "x")}
NUMPY = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64,
         "tensor(int32)": np.int32, "tensor(bool)": np.bool_, "tensor(uint8)": np.uint8, "tensor(int8)": np.int8}


def make_inputs(path, session, seed):
    rng = np.random.default_rng(seed)
    inputs = {}
    for spec in session.get_inputs():
        hints = SIZES.get((os.path.basename(path), spec.name), {})
        shape = []
        for i, dim in enumerate(spec.shape):
            if isinstance(dim, int) and dim >= 0:
                shape.append(dim)
            else:
                shape.append(hints.get(i, 1 if i == 0 and len(spec.shape) > 1 else 64))
        dtype = NUMPY[spec.type]
        if (os.path.basename(path), spec.name) in PAGES:
            value = page(rng, shape).astype(dtype)
        elif np.issubdtype(dtype, np.floating):
            low = 0.0 if len(shape) == 4 else -1.0
            value = rng.uniform(low, 1.0, size=shape).astype(dtype)
        elif dtype == np.bool_:
            value = rng.integers(0, 2, size=shape).astype(dtype)
        elif spec.name == "sr":
            value = np.full(shape, 16000, dtype=dtype)
        elif spec.name == "bytes":
            value = rng.integers(0, 257, size=shape).astype(dtype)
        else:
            value = rng.integers(0, 10, size=shape).astype(dtype)
        inputs[spec.name] = value
    return inputs


def page(rng, shape):
    """`[n, 3, h, w]`: rows of dark strokes on a light, slightly noisy ground, ImageNet-normalised."""
    n, _, h, w = shape
    image = rng.uniform(0.85, 1.0, size=(n, h, w))
    for top in range(h // 10, h - h // 10, max(h // 5, 4)):
        for left in range(w // 16, w - w // 16, max(w // 11, 4)):
            if rng.random() < 0.7:
                image[:, top:top + max(h // 10, 2), left:left + max(w // 16, 2)] = rng.uniform(0.0, 0.2)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    return (image[:, None] - mean[None, :, None, None]) / std[None, :, None, None]


def relative(lepton, expected):
    if np.issubdtype(expected.dtype, np.integer) or expected.dtype == np.bool_:
        return 0.0 if np.array_equal(lepton.astype(np.int64), expected.astype(np.int64)) else float("inf")
    a, b = lepton.astype(np.float64), expected.astype(np.float64)
    scale = np.abs(b).max() if b.size else 0.0
    diff = np.abs(a - b).max() if b.size else 0.0
    return float(diff / scale) if scale > 0 else float(diff)


def ort_session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def median_ms(run, repeat):
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def lepton_predict(lepton, path, inputs, folder, repeat):
    """The outputs by name and the forward pass's median milliseconds (None when it failed)."""
    given, out = os.path.join(folder, "inputs.npz"), os.path.join(folder, "outputs.npz")
    np.savez(given, **inputs)
    command = [lepton, "predict", path, given, "--output-npz", out, "--threads", "1", "--repeat", str(repeat)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return None, None, (done.stderr.strip() or done.stdout.strip()).splitlines()[-1]
    ms = [json.loads(line)["milliseconds"] for line in done.stdout.splitlines() if line.startswith('{"milliseconds"')]
    with np.load(out) as archive:
        return {name: archive[name] for name in archive.files}, (ms[0] if ms else None), None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lepton_serve(lepton, path, inputs, folder, repeat):
    """Serves the model and sends the inputs over V2 binary: outputs by name, median ms, error."""
    import tritonclient.http as http
    repository = os.path.join(folder, "repository")
    os.makedirs(os.path.join(repository, "model", "1"))
    shutil.copy(path, os.path.join(repository, "model", "1", "model.onnx"))
    port = free_port()
    server = subprocess.Popen([lepton, "serve", "--repository", repository, "--port", str(port), "--threads", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        client = http.InferenceServerClient(f"127.0.0.1:{port}", network_timeout=600)
        deadline = time.time() + 120
        while True:
            try:
                if client.is_model_ready("model"):
                    break
            except Exception:
                pass
            if server.poll() is not None or time.time() > deadline:
                return None, None, "not served: " + (server.stderr.read().strip().splitlines() or ["no answer"])[-1]
            time.sleep(0.2)
        metadata = client.get_model_metadata("model")
        types = {m["name"]: m["datatype"] for m in metadata["inputs"]}
        request = []
        for name, value in inputs.items():
            tensor = http.InferInput(name, list(value.shape), types[name])
            tensor.set_data_from_numpy(value, binary_data=True)
            request.append(tensor)
        outputs = [http.InferRequestedOutput(m["name"], binary_data=True) for m in metadata["outputs"]]
        result = {}

        def infer():
            answer = client.infer("model", request, outputs=outputs)
            result.update({m["name"]: answer.as_numpy(m["name"]) for m in metadata["outputs"]})

        try:
            ms = median_ms(infer, repeat)
        except Exception as error:
            return None, None, "served request failed: " + str(error).splitlines()[0]
        return result, ms, None
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--lepton", default=os.environ.get("LEPTON_BIN", ".build/release/lepton"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--serve", action="store_true", help="also serve each model and compare the served outputs")
    parser.add_argument("--json", help="write the rows as JSON to this file")
    args = parser.parse_args()
    rows, failed = [], False
    header = f"{'model':<34} {'output':<28} {'rel. diff':>9} {'served':>9} {'Lepton ms':>9} {'served ms':>9} {'ORT ms':>8}"
    print(header)
    print("-" * len(header))
    for path in args.models:
        name = os.path.basename(path)
        session = ort_session(path)
        inputs = make_inputs(path, session, args.seed)
        expected = dict(zip([o.name for o in session.get_outputs()], session.run(None, inputs)))
        ort_ms = median_ms(lambda: session.run(None, inputs), args.repeat)
        with tempfile.TemporaryDirectory() as folder:
            got, lepton_ms, error = lepton_predict(args.lepton, path, inputs, folder, args.repeat)
            served, served_ms, served_error = ({}, None, None)
            if args.serve:
                served, served_ms, served_error = lepton_serve(args.lepton, path, inputs, folder, args.repeat)
        for message in (error, served_error):
            if message:
                print(f"{name:<34} {message}")
                rows.append({"model": path, "error": message})
                failed = True
        if error or served_error:
            continue
        fmt = lambda v: "" if v is None else f"{v:.1e}"
        ms = lambda v: "" if v is None else f"{v:.2f}"
        for i, (output, value) in enumerate(expected.items()):
            diff = relative(got[output], value) if got[output].shape == value.shape else float("inf")
            served_diff = None
            if args.serve:
                served_diff = relative(served[output], value) if served[output].shape == value.shape else float("inf")
            failed = failed or diff > args.tolerance or (served_diff or 0) > args.tolerance
            rows.append({"model": path, "output": output, "shape": list(value.shape), "relative": diff,
                         "served_relative": served_diff, "lepton_ms": lepton_ms, "served_ms": served_ms, "ort_ms": ort_ms})
            times = (lepton_ms, served_ms, ort_ms) if i == 0 else (None, None, None)
            print(f"{name if i == 0 else '':<34} {output[:28]:<28} {diff:>9.1e} {fmt(served_diff):>9} "
                  f"{ms(times[0]):>9} {ms(times[1]):>9} {ms(times[2]):>8}")
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
