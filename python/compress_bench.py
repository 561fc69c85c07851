"""Compression benchmark: Lepton fp32 vs int8 beside ONNX Runtime and PyTorch int8, in one run.

Runs, at the same thread count (1 by default):
- Lepton: `lepton compress-bench FP32 INT8 --data CONFIG` (accuracy on the 10,000 test images,
  file size, batch-256 throughput, batch-1 median latency; prints which int8 kernels ran), and
  the fp32 model, the int8 model and the int8 model with 7-bit weights (`--reduce-range`) again as
  a CPU without AVX-512 or VNNI runs them: LEPTON_INT8_KERNEL=avx2, LEPTON_KERNELS=avx2,
  OPENBLAS_CORETYPE=Haswell (OpenBLAS's AVX2 kernels) and DNNL_MAX_CPU_ISA=AVX2 (oneDNN's), in one
  compress-bench run (models in turn);
- ONNX Runtime: the fp32 model Lepton exported (`lepton export`), Lepton's int8 model exported in
  QDQ form (the same int8 weights and activation scales), and ORT's own static QDQ quantisation of
  the fp32 model by `onnxruntime.quantization.quantize_static` (per-channel int8 weights, uint8
  activations, min/max calibration on the same first training images Lepton calibrated on);
- PyTorch: the same network rebuilt from Lepton's weights (model.safetensors), quantised with
  eager post-training quantisation (x86 engine = fbgemm, per-channel `get_default_qconfig("x86")`,
  conv+relu and linear+relu fused), calibrated on the same images.

    python3 python/compress_bench.py --lepton .build/release/lepton --fp32 out/mnist-cnn \
        --int8 out/mnist-cnn-int8 --onnx out/mnist-cnn.onnx --qdq out/mnist-cnn-int8.onnx --config examples/mnist-cnn.yaml

(scripts/bench_compress.sh makes those files and runs this.)

Prints one JSON line per measurement and a Markdown table at the end.
"""
import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np


def mnist_dir():
    root = os.environ.get("LEPTON_DATA_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "datasets")
    return os.path.join(root, "mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist():
    d = mnist_dir()
    train = read_idx(os.path.join(d, "train-images-idx3-ubyte.gz")).astype(np.float32)[..., None]
    test = read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")).astype(np.float32)[..., None]
    labels = read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    return train, test, labels


def measure(run, test, labels, seconds, singles):
    """Accuracy, batch-256 images/s and median batch-1 latency (µs) of `run(batch) -> scores`."""
    predictions = np.concatenate([run(test[i:i + 256]) for i in range(0, len(test), 256)])
    accuracy = float((predictions.argmax(axis=1) == labels).mean())
    batch = np.ascontiguousarray(test[:256])
    run(batch)
    images, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        run(batch)
        images += 256
    throughput = images / (time.perf_counter() - start)
    latencies = []
    for i in range(singles):
        one = np.ascontiguousarray(test[i % len(test):i % len(test) + 1])
        t0 = time.perf_counter()
        run(one)
        latencies.append((time.perf_counter() - t0) * 1e6)
    return accuracy, throughput, float(np.median(latencies))


def onnxruntime_rows(args, train, test, labels):
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    class Reader(CalibrationDataReader):
        def __init__(self, name):
            self.batches = iter([{name: train[i:i + args.batch]} for i in range(0, args.calibration_rows, args.batch)])

        def get_next(self):
            return next(self.batches, None)

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    name = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"]).get_inputs()[0].name
    qdq = os.path.join(tempfile.mkdtemp(), "model-qdq.onnx")
    quantize_static(args.onnx, qdq, Reader(name), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    rows = []
    models = [("fp32", "fp32", args.onnx), ("int8", "QDQ, quantize_static", qdq), ("int8", "QDQ, Lepton's export", args.qdq)]
    for precision, kernel, path in models:
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        accuracy, throughput, latency = measure(lambda x: session.run(None, {name: x})[0], test, labels, args.seconds, args.singles)
        rows.append({"engine": "onnxruntime " + ort.__version__, "precision": precision, "kernel": kernel,
                     "threads": args.threads, "accuracy": accuracy, "bytes": os.path.getsize(path),
                     "throughput": throughput, "latency_us": latency})
    return rows


def torch_model(folder):
    """The Lepton MNIST CNN (Normalization, Conv2D+ReLU, MaxPooling2D, Flatten, Dense+ReLU, Dense)
    in PyTorch with Lepton's weights; Flatten of Lepton's NHWC maps is matched by permuting to NHWC."""
    import torch
    from safetensors.numpy import load_file
    spec = json.load(open(os.path.join(folder, "model.json")))
    weights = load_file(os.path.join(folder, "model.safetensors"))
    types = [layer["type"] for layer in spec["layers"]]
    expected = ["Normalization", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense"]
    if types != expected:
        sys.exit(f"compress_bench.py: the PyTorch peer rebuilds {expected}; the model has {types}")
    prefix = {i: f"layers.{i}." for i in range(len(types))}
    tensor = lambda i, n: torch.from_numpy(np.array(weights[prefix[i] + n]))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = torch.ao.quantization.QuantStub()
            self.conv = torch.nn.Conv2d(1, 32, 3)
            self.relu1 = torch.nn.ReLU()
            self.pool = torch.nn.MaxPool2d(2)
            self.fc1 = torch.nn.Linear(5408, 128)
            self.relu2 = torch.nn.ReLU()
            self.fc2 = torch.nn.Linear(128, 10)
            self.dequant = torch.ao.quantization.DeQuantStub()

        def forward(self, x):  # x: [N, 28, 28, 1] pixels 0-255
            x = ((x - self.mean) / self.std).permute(0, 3, 1, 2)
            x = self.pool(self.relu1(self.conv(self.quant(x))))
            x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)   # Lepton flattens channels-last maps
            x = self.fc2(self.relu2(self.fc1(x)))
            return torch.softmax(self.dequant(x), dim=1)

    net = Net()
    net.mean = tensor(0, "mean").reshape(1, 1, 1, -1)
    net.std = torch.clamp(tensor(0, "variance").sqrt(), min=1e-7).reshape(1, 1, 1, -1)
    with torch.no_grad():
        net.conv.weight.copy_(tensor(1, "kernel"))
        net.conv.bias.copy_(tensor(1, "bias"))
        net.fc1.weight.copy_(tensor(4, "kernel").T)
        net.fc1.bias.copy_(tensor(4, "bias"))
        net.fc2.weight.copy_(tensor(5, "kernel").T)
        net.fc2.bias.copy_(tensor(5, "bias"))
    return net.eval()


def torch_rows(args, train, test, labels):
    import torch
    torch.set_num_threads(args.threads)
    torch.backends.quantized.engine = "x86"
    net = torch_model(args.fp32)
    rows = []

    def runner(model):
        def run(x):
            with torch.no_grad():
                return model(torch.from_numpy(x)).numpy()
        return run

    accuracy, throughput, latency = measure(runner(net), test, labels, args.seconds, args.singles)
    fp32_path = os.path.join(tempfile.mkdtemp(), "fp32.pt")
    torch.save(net.state_dict(), fp32_path)
    rows.append({"engine": "pytorch " + torch.__version__, "precision": "fp32", "kernel": "fp32", "threads": args.threads,
                 "accuracy": accuracy, "bytes": os.path.getsize(fp32_path), "throughput": throughput, "latency_us": latency})
    quantized = torch_model(args.fp32)
    quantized.qconfig = torch.ao.quantization.get_default_qconfig("x86")
    torch.ao.quantization.fuse_modules(quantized, [["conv", "relu1"], ["fc1", "relu2"]], inplace=True)
    torch.ao.quantization.prepare(quantized, inplace=True)
    with torch.no_grad():
        for i in range(0, args.calibration_rows, args.batch):
            quantized(torch.from_numpy(train[i:i + args.batch]))
    torch.ao.quantization.convert(quantized, inplace=True)
    accuracy, throughput, latency = measure(runner(quantized), test, labels, args.seconds, args.singles)
    int8_path = os.path.join(tempfile.mkdtemp(), "int8.pt")
    torch.save(quantized.state_dict(), int8_path)
    rows.append({"engine": "pytorch " + torch.__version__, "precision": "int8", "kernel": "x86 (fbgemm)", "threads": args.threads,
                 "accuracy": accuracy, "bytes": os.path.getsize(int8_path), "throughput": throughput, "latency_us": latency})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lepton", required=True)
    parser.add_argument("--fp32", required=True, help="Lepton fp32 model folder")
    parser.add_argument("--int8", required=True, help="Lepton int8 model folder (lepton compress)")
    parser.add_argument("--int8-narrow", help="Lepton int8 model folder with 7-bit weights (lepton compress --reduce-range)")
    parser.add_argument("--onnx", required=True, help="the fp32 model exported by lepton export")
    parser.add_argument("--qdq", required=True, help="the int8 model exported by lepton export (QDQ)")
    parser.add_argument("--config", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--singles", type=int, default=1000)
    parser.add_argument("--calibration-rows", type=int, default=320)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--no-avx2", action="store_true", help="skip the Lepton run on the AVX2 kernels")
    args = parser.parse_args()
    for var in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]:
        os.environ[var] = str(args.threads)

    lepton = subprocess.run([args.lepton, "compress-bench", args.fp32, args.int8, "--data", args.config,
                             "--threads", str(args.threads), "--seconds", str(args.seconds), "--singles", str(args.singles)],
                            check=True, capture_output=True, text=True)
    rows = [json.loads(line) for line in lepton.stdout.splitlines() if line.startswith("{")]
    if not args.no_avx2:
        # What a CPU with AVX2 but neither AVX-512 nor VNNI runs (a Zen 3, say): every model on AVX2 kernels.
        models = [args.fp32, args.int8] + ([args.int8_narrow] if args.int8_narrow else [])
        avx2 = {**os.environ, "LEPTON_INT8_KERNEL": "avx2", "LEPTON_KERNELS": "avx2", "OPENBLAS_CORETYPE": "Haswell",
                "DNNL_MAX_CPU_ISA": "AVX2"}
        other = subprocess.run([args.lepton, "compress-bench", *models, "--data", args.config, "--threads", str(args.threads),
                                "--seconds", str(args.seconds), "--singles", str(args.singles)],
                               check=True, capture_output=True, text=True, env=avx2)
        for line in other.stdout.splitlines():
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            if row["precision"] == "fp32":
                row["kernel"] += " (OpenBLAS Haswell, oneDNN AVX2)"
            if args.int8_narrow and row["model"] == args.int8_narrow:
                row["precision"] = "int8, 7-bit weights"
            rows.append(row)
    train, test, labels = load_mnist()
    rows += onnxruntime_rows(args, train, test, labels)
    rows += torch_rows(args, train, test, labels)
    for row in rows:
        print(json.dumps(row))
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.processor() or platform.machine()}, "
          f"{args.threads} thread(s), MNIST CNN (examples/mnist-cnn.yaml), 10,000 test images\n")
    print("| engine | precision | kernels | accuracy | file | batch-256 images/s | batch-1 latency |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['engine']} | {r['precision']} | {r['kernel']} | {100 * r['accuracy']:.2f} % | {r['bytes'] / 1024:.0f} KiB "
              f"| {r['throughput']:,.0f} | {r['latency_us']:.0f} µs |")


if __name__ == "__main__":
    main()
