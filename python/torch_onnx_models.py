"""Exports the benchmark suite's CNN, MLP and LSTM (python/bench_peer.py) from PyTorch to ONNX,
with fixed weights (torch.manual_seed) and a fixed input batch, for Lepton's ONNX import tests.

    python3 torch_onnx_models.py OUT_DIR [--opset N]

writes, for each model NAME in cnn, mlp, lstm:
    OUT_DIR/NAME.onnx          torch.onnx.export (TorchScript exporter), dynamic batch axis
    OUT_DIR/NAME_input.npy     the input batch (float32 images / int64 token ids)
    OUT_DIR/NAME_output.npy    PyTorch's output for it (float32)
and prints one line "ok NAME" per model.
"""
import os
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_peer  # noqa: E402  (the model definitions)


def models():
    torch.manual_seed(0)
    g = np.random.default_rng(0)
    yield "cnn", bench_peer._cnn(), torch.from_numpy(g.standard_normal((5, 1, 28, 28), dtype=np.float32))
    torch.manual_seed(1)
    yield "mlp", bench_peer._mlp(), torch.from_numpy(g.standard_normal((5, 784), dtype=np.float32))
    torch.manual_seed(2)
    yield "lstm", bench_peer._lstm_model(), torch.from_numpy(g.integers(0, 10000, size=(3, 100), dtype=np.int64))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: torch_onnx_models.py OUT_DIR [--opset N]")
    out = sys.argv[1]
    opset = int(sys.argv[sys.argv.index("--opset") + 1]) if "--opset" in sys.argv else 17
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    for name, model, x in models():
        model.eval()
        with torch.no_grad():
            y = model(x)
        path = os.path.join(out, name + ".onnx")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (x,), path, input_names=["input"], output_names=["output"],
                              dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                              opset_version=opset, dynamo=False)
        np.save(os.path.join(out, name + "_input.npy"), x.numpy())
        np.save(os.path.join(out, name + "_output.npy"), y.numpy().astype(np.float32))
        print("ok", name, flush=True)


if __name__ == "__main__":
    main()
