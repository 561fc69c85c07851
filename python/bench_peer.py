"""Benchmark peer for `lepton-bench`: NumPy (sgemm) and PyTorch CPU (conv2d, element-wise, and the
CNN / MLP / LSTM / Transformer training and inference workloads).

Started by the Swift benchmark (Sources/LeptonBenchmarks/PeerProcess.swift), one process per
thread count, with OMP/OPENBLAS/MKL_NUM_THREADS set and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
removed from its environment. Protocol, one line per command on stdin, one line back on stdout:

    threads N                 -> "ok N"                    (also torch.set_num_threads(N))
    info                      -> "info <json>"             (versions, BLAS kernel in use)
    sgemm N REPS              -> seconds for REPS products of two N×N float32 matrices
    conv REPS                 -> seconds for REPS forward+backward passes of the conv layer
    elementwise N REPS        -> seconds for REPS evaluations of relu(a*b+c) over N floats
    cnn_train B REPS          -> seconds for REPS CNN training steps at batch B
    cnn_infer B REPS          -> seconds for REPS CNN forward passes (no_grad, eval) at batch B
    cnn_latency REPS          -> REPS single-sample CNN forward times in ms, space-separated
    mlp_train B REPS          -> seconds for REPS MLP training steps at batch B
    lstm_train B REPS         -> seconds for REPS LSTM training steps at batch B
    transformer B S REPS      -> seconds for REPS TransformerEncoder forward+backward passes
    quit                      -> exits

Every timed command prepares (and warms up) its data on first use, outside the timing.
Errors are reported as "error <message>". The protocol loop and the window timing are shared with
the other peers (bench_peer_keras.py, bench_peer_jax.py) in bench_peer_common.py; `info` includes
each model's parameter count, so that the peers' models can be checked against these.

Peak memory, in a fresh process (started by `lepton-bench` for the memory table):

    python3 bench_peer.py --memory-probe cnn|mlp|lstm --threads N --steps S --batch B

runs S training steps of that workload only and prints "peak_rss_kb <VmHWM>".

The models (see ../shared/BENCHMARKS.md), written as a PyTorch user would:
- CNN: [N, 1, 28, 28] -> Conv2d(1, 32, 3) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(5408, 128)
  -> ReLU -> Linear(128, 10); F.cross_entropy on the logits; Adam(lr=1e-3).
- MLP: 784 -> 256 -> 256 -> 10 with ReLU; F.cross_entropy; Adam(lr=1e-3).
- LSTM: Embedding(10000, 64) -> LSTM(64, 128, batch_first=True), last output -> Linear(128, 1);
  BCEWithLogits; Adam(lr=1e-3); 100 steps per sequence.
- Transformer: nn.TransformerEncoder(nn.TransformerEncoderLayer(128, 4, dim_feedforward=512,
  dropout=0, batch_first=True), 6), forward + backward with a fixed output gradient.
A training step is zero_grad, forward, loss, backward, optimizer step.
"""
import json
import os
import sys

import numpy as np

from bench_peer_common import latencies, peak_rss_kb, serve, timed

_torch = None


def torch():
    global _torch
    if _torch is None:
        import torch as t
        _torch = t
    return _torch


def sgemm(n, reps):
    def make():
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), dtype=np.float32)
        return lambda: np.matmul(a, b, out=c)

    return timed(("sgemm", n), make, reps, warmup=1)


def conv(reps):
    def make():
        t = torch()
        g = t.Generator().manual_seed(0)
        x = t.randn(128, 1, 28, 28, generator=g)  # input: no gradient
        w = (t.randn(32, 1, 3, 3, generator=g) * 0.3).requires_grad_()
        b = t.zeros(32).requires_grad_()
        gy = t.randn(128, 32, 26, 26, generator=g)  # given output gradient

        def step():
            y = t.nn.functional.conv2d(x, w, b)
            y.backward(gy)
            w.grad = None
            b.grad = None

        return step

    return timed(("conv",), make, reps, warmup=3)


def elementwise(n, reps):
    def make():
        t = torch()
        g = t.Generator().manual_seed(0)
        a, b, c = (t.randn(n, generator=g) for _ in range(3))

        def step():  # returns nothing: the output is freed before the next one is allocated
            t.relu(a * b + c)

        return step

    return timed(("elementwise", n), make, reps)


# ---- training / inference workloads -------------------------------------------------------

def _cnn():
    nn = torch().nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(32 * 13 * 13, 128), nn.ReLU(), nn.Linear(128, 10))


def _mlp():
    nn = torch().nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


def _lstm_model():
    t = torch()
    nn = t.nn

    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(10000, 64)
            self.lstm = nn.LSTM(64, 128, batch_first=True)
            self.dense = nn.Linear(128, 1)

        def forward(self, ids):
            out, _ = self.lstm(self.embedding(ids))
            return self.dense(out[:, -1])

    return LSTMClassifier()


def _train_step(model, x, y, loss_fn):
    opt = torch().optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def make_workload(name, batch):
    """The step closure of a training workload (`cnn`, `mlp`, `lstm`) with its synthetic data."""
    t = torch()
    t.manual_seed(42)
    g = t.Generator().manual_seed(0)
    F = t.nn.functional
    if name == "cnn":
        x = t.randn(batch, 1, 28, 28, generator=g)
        y = t.randint(0, 10, (batch,), generator=g)
        return _train_step(_cnn(), x, y, F.cross_entropy)
    if name == "mlp":
        x = t.randn(batch, 784, generator=g)
        y = t.randint(0, 10, (batch,), generator=g)
        return _train_step(_mlp(), x, y, F.cross_entropy)
    if name == "lstm":
        x = t.randint(0, 10000, (batch, 100), generator=g)
        y = t.randint(0, 2, (batch, 1), generator=g).float()
        return _train_step(_lstm_model(), x, y, F.binary_cross_entropy_with_logits)
    raise ValueError("unknown workload %r" % name)


def _cnn_forward(batch):
    t = torch()
    t.manual_seed(42)
    g = t.Generator().manual_seed(0)
    x = t.randn(batch, 1, 28, 28, generator=g)
    model = _cnn().eval()

    def step():
        with t.no_grad():
            model(x)

    return step


def _transformer(batch, seq):
    t = torch()
    nn = t.nn
    t.manual_seed(42)
    g = t.Generator().manual_seed(0)
    encoder = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0, batch_first=True), 6)
    x = t.randn(batch, seq, 128, generator=g)  # input: no gradient
    gy = t.randn(batch, seq, 128, generator=g)

    def step():
        y = encoder(x)
        y.backward(gy)
        encoder.zero_grad(set_to_none=True)

    return step


def memory_probe(argv):
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--memory-probe", required=True, choices=["cnn", "mlp", "lstm"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--batch", type=int, required=True)
    a = p.parse_args(argv)
    torch().set_num_threads(a.threads)
    step = make_workload(a.memory_probe, a.batch)
    for _ in range(a.steps):
        step()
    print("peak_rss_kb %d" % peak_rss_kb())


def info():
    out = {
        "numpy": np.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
    }
    try:
        import threadpoolctl
        for pool in threadpoolctl.threadpool_info():
            if pool.get("internal_api") == "openblas":
                out["numpy_blas"] = "%s %s, kernel %s, %s threads" % (
                    pool.get("prefix"), pool.get("version"), pool.get("architecture"), pool.get("num_threads"))
    except ImportError:
        out["numpy_blas"] = "unknown (threadpoolctl not installed)"
    try:
        t = torch()
        out["torch"] = t.__version__
        out["torch_threads"] = t.get_num_threads()
        out["torch_cpu_capability"] = t.backends.cpu.get_cpu_capability()
        out["params"] = param_counts()
    except Exception as e:  # torch is optional for the sgemm benchmark
        out["torch"] = "unavailable: %s" % e
    return json.dumps(out)


def param_counts():
    """Trainable parameters of each model, to check the other peers' models against."""
    nn = torch().nn
    encoder = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0, batch_first=True), 6,
        enable_nested_tensor=False)
    models = {"cnn": _cnn(), "mlp": _mlp(), "lstm": _lstm_model(), "transformer": encoder}
    return {k: sum(p.numel() for p in m.parameters() if p.requires_grad) for k, m in models.items()}


def set_threads(n):
    torch().set_num_threads(n)
    return "ok %d" % n


COMMANDS = {
    "threads": set_threads,
    "info": lambda: "info " + info(),
    "sgemm": sgemm,
    "conv": conv,
    "elementwise": elementwise,
    "cnn_train": lambda b, reps: timed(("cnn_train", b), lambda: make_workload("cnn", b), reps),
    "cnn_infer": lambda b, reps: timed(("cnn_forward", b), lambda: _cnn_forward(b), reps),
    "cnn_latency": lambda reps: latencies(("cnn_forward", 1), lambda: _cnn_forward(1), reps),
    "mlp_train": lambda b, reps: timed(("mlp_train", b), lambda: make_workload("mlp", b), reps),
    "lstm_train": lambda b, reps: timed(("lstm_train", b), lambda: make_workload("lstm", b), reps),
    "transformer": lambda b, s, reps: timed(("transformer", b, s), lambda: _transformer(b, s), reps),
}


if __name__ == "__main__":
    if "--memory-probe" in sys.argv:
        memory_probe(sys.argv[1:])
    else:
        serve(COMMANDS, peer="the PyTorch peer")
