"""Dynamic int8 benchmark: the sentiment LSTM in Lepton (fp32, `lepton compress --quantize dynamic`)
beside PyTorch (fp32, `torch.ao.quantization.quantize_dynamic` on the same architecture and weights: LSTM and Linear
dynamic int8, the Embedding weight-only 8-bit as Lepton's `QuantizedEmbedding`).

Runs at the same thread count (1 by default), in ROUNDS rounds in which every model takes its turn
(Lepton's two models through `lepton compress-bench --rounds 1`, then PyTorch's two), so load from
other processes touches all of them alike. Reports test accuracy (the config's test split, which
`lepton compress-bench --save-test` writes for PyTorch), file size, batch-256 sequences/s (median
round) and batch-1 latency (median of the rounds' medians), and which kernels ran.

    python3 python/dynamic_bench.py --lepton .build/release/lepton --fp32 out/sentiment-lstm \
        --int8 out/sentiment-lstm-dynamic --config examples/sentiment-lstm.yaml

Lepton fp32 is measured a second time with OPENBLAS_CORETYPE (--fp32-coretype, default SkylakeX):
OpenBLAS may not recognise a CPU and fall back to old kernels; and the int8 model a second time on
the AVX2 kernels (--also-kernels),
beside the model with 7-bit weights (--int8-narrow, `--reduce-range`), which runs vpmaddubsw there. (scripts/bench_dynamic.sh makes those folders and runs this.) The PyTorch peer is
Embedding → LSTM(bidirectional, batch_first) → [h_forward, h_backward] → Linear → sigmoid, with
Lepton's weights (weight_ih = kernelᵀ, weight_hh = recurrentKernelᵀ, bias_ih = bias, bias_hh = 0);
Dropout is the identity at inference.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def torch_model(folder):
    import torch
    from safetensors.numpy import load_file
    spec = json.load(open(os.path.join(folder, "model.json")))
    weights = load_file(os.path.join(folder, "model.safetensors"))
    types = [layer["type"] for layer in spec["layers"]]
    expected = ["TextVectorization", "Embedding", "Bidirectional", "Dropout", "Dense"]
    if types != expected or spec["layers"][2]["layer"]["type"] != "LSTM":
        sys.exit(f"dynamic_bench.py: the PyTorch peer rebuilds {expected} with an LSTM; the model has {types}")
    vocabulary, width = weights["layers.1.weight"].shape
    units = spec["layers"][2]["layer"]["units"]
    tensor = lambda name: torch.from_numpy(np.array(weights[name]))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(vocabulary, width)
            self.lstm = torch.nn.LSTM(width, units, batch_first=True, bidirectional=True)
            self.fc = torch.nn.Linear(2 * units, 1)

        def forward(self, ids):
            _, (h, _) = self.lstm(self.embedding(ids))
            return torch.sigmoid(self.fc(torch.cat([h[0], h[1]], dim=1)))

    net = Net()
    with torch.no_grad():
        net.embedding.weight.copy_(tensor("layers.1.weight"))
        for direction, suffix in [("forwardLayer", ""), ("backwardLayer", "_reverse")]:
            getattr(net.lstm, "weight_ih_l0" + suffix).copy_(tensor(f"layers.2.{direction}.kernel").T)
            getattr(net.lstm, "weight_hh_l0" + suffix).copy_(tensor(f"layers.2.{direction}.recurrentKernel").T)
            getattr(net.lstm, "bias_ih_l0" + suffix).copy_(tensor(f"layers.2.{direction}.bias"))
            getattr(net.lstm, "bias_hh_l0" + suffix).zero_()
        net.fc.weight.copy_(tensor("layers.4.kernel").T)
        net.fc.bias.copy_(tensor("layers.4.bias"))
    return net.eval()


def measure_torch(model, x, seconds, singles):
    """Batch-256 sequences/s and median batch-1 latency (µs)."""
    import torch
    batch = torch.from_numpy(np.ascontiguousarray(x[:256]))
    with torch.no_grad():
        model(batch)
        rows, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            model(batch)
            rows += len(batch)
        throughput = rows / (time.perf_counter() - start)
        latencies = []
        for i in range(singles):
            one = torch.from_numpy(np.ascontiguousarray(x[i % len(x):i % len(x) + 1]))
            t0 = time.perf_counter()
            model(one)
            latencies.append((time.perf_counter() - t0) * 1e6)
    return throughput, float(np.median(latencies))


def torch_accuracy(model, x, y):
    import torch
    with torch.no_grad():
        p = np.concatenate([model(torch.from_numpy(x[i:i + 256])).numpy()[:, 0] for i in range(0, len(x), 256)])
    return float(((p > 0.5).astype(np.float32) == y).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lepton", required=True)
    parser.add_argument("--fp32", required=True, help="Lepton fp32 model folder (lepton train examples/sentiment-lstm.yaml)")
    parser.add_argument("--int8", required=True, help="Lepton dynamic int8 model folder (lepton compress --quantize dynamic)")
    parser.add_argument("--int8-narrow", help="Lepton dynamic int8 model folder with 7-bit weights (--reduce-range), "
                        "measured with the int8 model on the --also-kernels paths")
    parser.add_argument("--config", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds of batch-256 inference per model and round")
    parser.add_argument("--singles", type=int, default=300, help="batch-1 passes per model and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fp32-coretype", default="SkylakeX",
                        help="also measure Lepton fp32 with this OPENBLAS_CORETYPE (empty: not)")
    parser.add_argument("--also-kernels", default="avx2", help="Lepton int8 kernel paths to measure as well (LEPTON_INT8_KERNEL)")
    args = parser.parse_args()
    for var in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]:
        os.environ[var] = str(args.threads)
    import torch
    torch.set_num_threads(args.threads)
    torch.backends.quantized.engine = "x86"

    test_file = os.path.join(tempfile.mkdtemp(), "test.json")
    fp32 = torch_model(args.fp32)
    from torch.ao.quantization import default_dynamic_qconfig, float_qparams_weight_only_qconfig
    # As Lepton's default: LSTM and Linear dynamic int8, the embedding table weight-only (8-bit rows).
    dynamic = torch.ao.quantization.quantize_dynamic(
        torch_model(args.fp32), {torch.nn.LSTM: default_dynamic_qconfig, torch.nn.Linear: default_dynamic_qconfig,
                                 torch.nn.Embedding: float_qparams_weight_only_qconfig})
    lepton_runs, torch_runs = {}, {"fp32": ([], []), "dynamic-int8": ([], [])}
    x = y = None
    for r in range(args.rounds):
        command = [args.lepton, "compress-bench", args.fp32, args.int8, "--data", args.config, "--threads", str(args.threads),
                   "--seconds", str(args.seconds), "--singles", str(args.singles), "--rounds", "1"]
        if r == 0:
            command += ["--save-test", test_file]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        for kernel in filter(None, args.also_kernels.split(",")):
            # The int8 model again on another kernel path (what a CPU without VNNI runs).
            other = [args.lepton, "compress-bench", args.int8] + ([args.int8_narrow] if args.int8_narrow else []) \
                + command[4:command.index("--rounds") + 2]
            out += subprocess.run(other, check=True, capture_output=True, text=True,
                                  env={**os.environ, "LEPTON_INT8_KERNEL": kernel}).stdout
        if args.fp32_coretype:
            # Lepton fp32 again with OpenBLAS told the CPU (its own detection may fall back to old kernels).
            tuned = [args.lepton, "compress-bench", args.fp32] + command[4:command.index("--rounds") + 2]
            tuned_out = subprocess.run(tuned, check=True, capture_output=True, text=True,
                                       env={**os.environ, "OPENBLAS_CORETYPE": args.fp32_coretype}).stdout
            out += tuned_out.replace('"kernel": "float32"', f'"kernel": "float32, OPENBLAS_CORETYPE={args.fp32_coretype}"')
        for line in out.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                if args.int8_narrow and row["model"] == args.int8_narrow:
                    row["precision"] += ", 7-bit weights"
                lepton_runs.setdefault((row["precision"], row["kernel"]), []).append(row)
        if x is None:
            data = json.load(open(test_file))
            x, y = np.array(data["x"], dtype=np.int64), np.array(data["y"], dtype=np.float32)
        for name, model in [("fp32", fp32), ("dynamic-int8", dynamic)]:
            throughput, latency = measure_torch(model, x, args.seconds, args.singles)
            torch_runs[name][0].append(throughput)
            torch_runs[name][1].append(latency)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    rows = []
    for precision, runs in lepton_runs.items():
        rows.append({**runs[0], "throughput": statistics.median(r["throughput"] for r in runs),
                     "latency_us": statistics.median(r["latency_us"] for r in runs), "rounds": len(runs)})
    for name, model in [("fp32", fp32), ("dynamic-int8", dynamic)]:
        path = os.path.join(tempfile.mkdtemp(), name + ".pt")
        torch.save(model.state_dict(), path)
        rows.append({"engine": "pytorch " + torch.__version__, "precision": name,
                     "kernel": "fp32" if name == "fp32" else torch.backends.quantized.engine + " (fbgemm)",
                     "threads": args.threads, "accuracy": torch_accuracy(model, x, y), "bytes": os.path.getsize(path),
                     "throughput": statistics.median(torch_runs[name][0]), "latency_us": statistics.median(torch_runs[name][1]),
                     "rounds": args.rounds})
    for row in rows:
        print(json.dumps(row))
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.processor() or platform.machine()}, "
          f"{args.threads} thread(s), sentiment LSTM (examples/sentiment-lstm.yaml), {len(y):,} test sentences, "
          f"{args.rounds} interleaved rounds\n")
    print("| engine | precision | kernels | accuracy | file | batch-256 sequences/s | batch-1 latency |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['engine']} | {r['precision']} | {r['kernel']} | {100 * r['accuracy']:.2f} % | {r['bytes'] / 1024:.0f} KiB "
              f"| {r['throughput']:,.0f} | {r['latency_us']:.0f} µs |")
    for r in rows:
        if r["precision"] == "fp32" or r["kernel"] in args.also_kernels.split(","):
            continue
        engine = r["engine"].split()[0]
        for b in [b for b in rows if b["precision"] == "fp32" and b["engine"].split()[0] == engine]:
            print(f"\n{r['engine']}: dynamic int8 vs fp32 ({b['kernel']}): {100 * (r['accuracy'] - b['accuracy']):+.2f} pp, "
                  f"{b['bytes'] / r['bytes']:.2f}x smaller, {r['throughput'] / b['throughput']:.2f}x batch-256 throughput, "
                  f"{b['latency_us'] / r['latency_us']:.2f}x lower batch-1 latency")

if __name__ == "__main__":
    main()
