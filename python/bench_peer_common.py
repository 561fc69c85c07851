"""What the `lepton-bench` peers share: the line protocol loop and the timing of windows.

The peers (bench_peer.py: NumPy + PyTorch; bench_peer_keras.py: TensorFlow-Keras; bench_peer_jax.py:
JAX) each map command names to handlers and call `serve`. Protocol, one line per command on stdin,
one line back on stdout (see bench_peer.py's docstring for the commands):

    <command> <integer arguments…>   -> the handler's reply
    quit                             -> exits
    a command the peer does not know -> "error unknown command '<name>'"
    a command it does not implement  -> "error unsupported by <peer>: <name> (…)"
    a handler raising                -> "error <ExceptionType>: <message>" (and the peer keeps serving)

Timed commands build (and warm up) their workload on first use, outside the timing; then they
time a window of REPS calls with `time.perf_counter`.
"""
import os
import sys
import time

_cache = {}


def cached(key, make, warmup=2, finish=None):
    """The step closure stored under `key`: built by `make()` and run `warmup` times on first use.

    `finish(out)`, when given, waits for the result of a step (JAX dispatches asynchronously)."""
    if key not in _cache:
        step = make()
        out = None
        for _ in range(warmup):
            out = step()
        if finish is not None:
            finish(out)
        _cache[key] = step
    return _cache[key]


def timed(key, make, reps, warmup=2, finish=None):
    """Seconds for `reps` calls of the step stored under `key` (built on first use, untimed).

    `finish(out)` is called on the last step's result inside the timing, so that a framework that
    dispatches asynchronously has finished the window's work when the clock stops."""
    step = cached(key, make, warmup, finish)
    out = None
    t0 = time.perf_counter()
    for _ in range(reps):
        out = step()
    if finish is not None:
        finish(out)
    return time.perf_counter() - t0


def latencies(key, make, reps, warmup=20):
    """`reps` single calls of the step under `key`, each timed on its own, in ms, space-separated.

    The step itself must wait for its result (it is one user-visible call)."""
    step = cached(key, make, warmup)
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        out.append((time.perf_counter() - t0) * 1e3)
    return " ".join("%.6f" % v for v in out)


def serve(commands, peer="this peer", unsupported=(), why=""):
    """Answers protocol lines from stdin until `quit` or end of input.

    `commands` maps a command name to a handler taking the command's integer arguments and
    returning the reply (a float is sent as its repr). Names in `unsupported` get an error that
    names the peer and `why`."""
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        cmd, args = parts[0], [int(v) for v in parts[1:] if v.lstrip("-").isdigit()]
        if cmd == "quit":
            break
        try:
            if cmd in commands:
                reply = commands[cmd](*args)
                if isinstance(reply, float):
                    reply = repr(reply)
            elif cmd in unsupported:
                reply = "error unsupported by %s: %s%s" % (peer, cmd, " (%s)" % why if why else "")
            else:
                reply = "error unknown command %r" % cmd
        except Exception as e:  # report, keep serving
            reply = "error %s: %s" % (type(e).__name__, str(e).replace("\n", " "))
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()


def pin_to_cores(n):
    """Restricts this process to `n` of the CPUs it may run on, when that is fewer than all of them.

    XLA's CPU runtime (JAX, TensorFlow with jit_compile) runs independent parts of a program on the
    calling thread and on its pool at once, so its thread settings alone do not hold it to `n`
    cores; the affinity does, whatever its threads. Returns the CPUs now allowed."""
    allowed = sorted(os.sched_getaffinity(0))
    if 0 < n < len(allowed):
        os.sched_setaffinity(0, allowed[:n])
    return sorted(os.sched_getaffinity(0))


def peak_rss_kb():
    """Peak resident set size of this process so far, in kB (VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def model_peer(peer, set_threads, info, make_workload, cnn_forward, transformer, finish, transformer_finish=None):
    """Serves the model rows of a framework peer (Keras, JAX): training steps made by
    `make_workload(name, batch)`, CNN inference and latency by `cnn_forward(batch)`, the Transformer
    by `transformer(batch, seq)`; `finish(out)` waits for a training window's last result (and
    `transformer_finish` for the Transformer's). The kernel rows are refused."""
    def train(name):
        return lambda b, reps: timed((name, b), lambda: make_workload(name, b), reps, finish=finish)

    commands = {
        "threads": set_threads,
        "info": lambda: "info " + info(),
        "cnn_train": train("cnn"),
        "cnn_infer": lambda b, reps: timed(("cnn_forward", b), lambda: cnn_forward(b), reps),
        "cnn_latency": lambda reps: latencies(("cnn_forward", 1), lambda: cnn_forward(1), reps),
        "mlp_train": train("mlp"),
        "lstm_train": train("lstm"),
        "transformer": lambda b, s, reps: timed(("transformer", b, s), lambda: transformer(b, s), reps,
                                                finish=transformer_finish),
    }
    serve(commands, peer=peer, unsupported=("sgemm", "conv", "elementwise"),
          why="the kernel rows compare against NumPy and PyTorch only")
