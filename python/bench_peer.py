"""Benchmark peer for `lepton-bench`: NumPy (sgemm) and PyTorch CPU (conv2d, element-wise).

Started by the Swift benchmark (Sources/LeptonBenchmarks/PeerProcess.swift), one process per
thread count, with OMP/OPENBLAS/MKL_NUM_THREADS set and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
removed from its environment. Protocol, one line per command on stdin, one line back on stdout:

    threads N                 -> "ok N"                    (also torch.set_num_threads(N))
    info                      -> "info <json>"             (versions, BLAS kernel in use)
    sgemm N REPS              -> seconds for REPS products of two N×N float32 matrices
    conv REPS                 -> seconds for REPS forward+backward passes of the conv layer
    elementwise N REPS        -> seconds for REPS evaluations of relu(a*b+c) over N floats
    quit                      -> exits

Every timed command prepares (and warms up) its data on first use, outside the timing.
Errors are reported as "error <message>".
"""
import json
import os
import sys
import time

import numpy as np

_torch = None


def torch():
    global _torch
    if _torch is None:
        import torch as t
        _torch = t
    return _torch


_cache = {}


def sgemm(n, reps):
    key = ("sgemm", n)
    if key not in _cache:
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), dtype=np.float32)
        np.matmul(a, b, out=c)
        _cache[key] = (a, b, c)
    a, b, c = _cache[key]
    t0 = time.perf_counter()
    for _ in range(reps):
        np.matmul(a, b, out=c)
    return time.perf_counter() - t0


def conv(reps):
    t = torch()
    key = ("conv",)
    if key not in _cache:
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

        for _ in range(3):
            step()
        _cache[key] = step
    step = _cache[key]
    t0 = time.perf_counter()
    for _ in range(reps):
        step()
    return time.perf_counter() - t0


def elementwise(n, reps):
    t = torch()
    key = ("elementwise", n)
    if key not in _cache:
        g = t.Generator().manual_seed(0)
        a, b, c = (t.randn(n, generator=g) for _ in range(3))
        for _ in range(2):
            t.relu(a * b + c)
        _cache[key] = (a, b, c)
    a, b, c = _cache[key]
    t0 = time.perf_counter()
    for _ in range(reps):
        y = t.relu(a * b + c)
        del y
    return time.perf_counter() - t0


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
    except Exception as e:  # torch is optional for the sgemm benchmark
        out["torch"] = "unavailable: %s" % e
    return json.dumps(out)


def main():
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        cmd, args = parts[0], [int(v) for v in parts[1:] if v.lstrip("-").isdigit()]
        try:
            if cmd == "quit":
                break
            elif cmd == "threads":
                torch().set_num_threads(args[0])
                reply = "ok %d" % args[0]
            elif cmd == "info":
                reply = "info " + info()
            elif cmd == "sgemm":
                reply = repr(sgemm(args[0], args[1]))
            elif cmd == "conv":
                reply = repr(conv(args[0]))
            elif cmd == "elementwise":
                reply = repr(elementwise(args[0], args[1]))
            else:
                reply = "error unknown command %r" % cmd
        except Exception as e:  # report, keep serving
            reply = "error %s: %s" % (type(e).__name__, str(e).replace("\n", " "))
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
