"""Benchmark peer for `lepton-bench`: Keras 3 on TensorFlow (CPU), compiled with XLA.

Started by the Swift benchmark (Sources/LeptonBenchmarks/PeerProcess.swift) with the Python of
`.venv-bench-keras` (scripts/bench_peers_setup.sh; `LEPTON_PYTHON_KERAS` overrides it), one
process per thread count. Same line protocol and the same models as bench_peer.py (see its
docstring and bench_peer_common.py); the kernel commands (sgemm, conv, elementwise) answer
"error unsupported".

    threads N              -> "ok N"; must come before anything imports TensorFlow (the first command)
    info                   -> "info <json>": versions, thread settings, parameter counts
    cnn_train B REPS, cnn_infer B REPS, cnn_latency REPS, mlp_train B REPS, lstm_train B REPS,
    transformer B S REPS   -> as bench_peer.py

Threads: `threads N` sets TF_NUM_INTRAOP_THREADS=N, TF_NUM_INTEROP_THREADS=1 and OMP_NUM_THREADS=N
before importing TensorFlow, then `tf.config.threading.set_intra_op_parallelism_threads(N)` and
`set_inter_op_parallelism_threads(1)`. XLA-compiled functions run on TensorFlow's intra-op pool
(measured at N = 1: 0.99–1.0 CPU-seconds per second over a window, CNN training 1.29 + 0.32 CPU-s
on two threads in 1.60 s: they hand over, not overlap). As for JAX (whose XLA runtime does overlap
its threads), the process is also pinned to N cores (sched_setaffinity) when N is below the
machine's count, so that nothing can use more.

Written as a Keras user would, with the layers of `keras.layers`, `keras.optimizers.Adam(1e-3)`
and the Keras losses, compiled with XLA (`jit_compile=True`; Keras's "auto" means no XLA on a CPU).
A training step is the `tf.function(jit_compile=True)` of Keras's guide "Writing a training loop
from scratch" (forward, loss, `tf.GradientTape.gradient`, `optimizer.apply`): measured here at one
thread it was faster than `model.compile(…, jit_compile=True)` + `model.train_on_batch` (which
also updates the loss metric and copies the loss out every step): CNN b32 10.9 against 11.7 ms,
MLP b128 1.9 against 2.6 ms, LSTM b64 55 against 63 ms. Inference is a `tf.function(
jit_compile=True)` of `model(x, training=False)` (CNN b1 0.46 ms against 0.53 with
`predict_on_batch` and 3.2 eager; b256 the same 14.7 ms as `predict_on_batch`).
- CNN: [N, 28, 28, 1] (channels-last, Keras's default) -> Conv2D(32, 3, relu) -> MaxPooling2D(2)
  -> Flatten -> Dense(128, relu) -> Dense(10); SparseCategoricalCrossentropy(from_logits=True).
- MLP: 784 -> Dense(256, relu) -> Dense(256, relu) -> Dense(10); the same loss.
- LSTM: Embedding(10000, 64) -> LSTM(128) (last output) -> Dense(1);
  BinaryCrossentropy(from_logits=True). Keras's LSTM has one bias per gate where PyTorch's has two
  (b_ih + b_hh): 512 parameters fewer, the same function.
- Transformer: 6 post-norm blocks as nn.TransformerEncoderLayer(128, 4, 512, dropout=0), with the
  functional API: x = LayerNormalization(x + MultiHeadAttention(4, key_dim=32)(x, x)); x =
  LayerNormalization(x + Dense(128)(Dense(512, relu)(x))), epsilon 1e-5; forward + backward with
  a fixed output gradient (`tf.GradientTape.gradient(y, weights, output_gradients=gy)` in a
  `tf.function(jit_compile=True)`), the parameter gradients returned.
Building, tracing and XLA compilation happen in the untimed warm-up, on first use.
"""
import json
import os

from bench_peer_common import model_peer, pin_to_cores

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up lines would fill the report
os.environ["KERAS_BACKEND"] = "tensorflow"

_tf = None


def set_threads(n):
    """Fixes TensorFlow's thread counts; only before TensorFlow is imported (the first command)."""
    if _tf is not None:
        if _tf.config.threading.get_intra_op_parallelism_threads() == n:
            return "ok %d" % n
        raise RuntimeError("TensorFlow is already running with %d intra-op threads"
                           % _tf.config.threading.get_intra_op_parallelism_threads())
    pin_to_cores(n)
    os.environ["TF_NUM_INTRAOP_THREADS"] = str(n)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = str(n)
    t = tf()
    t.config.threading.set_intra_op_parallelism_threads(n)
    t.config.threading.set_inter_op_parallelism_threads(1)
    return "ok %d" % n


def tf():
    global _tf
    if _tf is None:
        # TensorFlow's native libraries print "All log messages before absl::InitializeLog()…" and
        # a oneDNN notice on stderr whatever TF_CPP_MIN_LOG_LEVEL says; they would land in the
        # middle of lepton-bench's report, so stderr is closed while they load (a failed import
        # still raises, and the protocol reports it).
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        try:
            import keras  # noqa: F401  (loads the rest of the native code)
            import tensorflow as t
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
        _tf = t
    return _tf


def _models():
    import keras
    from keras import layers

    def cnn():
        return keras.Sequential([
            keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(10)])

    def mlp():
        return keras.Sequential([
            keras.Input((784,)), layers.Dense(256, activation="relu"), layers.Dense(256, activation="relu"),
            layers.Dense(10)])

    def lstm():
        return keras.Sequential([
            keras.Input((100,), dtype="int32"), layers.Embedding(10000, 64), layers.LSTM(128), layers.Dense(1)])

    def transformer(seq=64):
        x = inputs = keras.Input((seq, 128))
        for _ in range(6):
            x = layers.LayerNormalization(epsilon=1e-5)(x + layers.MultiHeadAttention(4, key_dim=32)(x, x))
            ff = layers.Dense(128)(layers.Dense(512, activation="relu")(x))
            x = layers.LayerNormalization(epsilon=1e-5)(x + ff)
        return keras.Model(inputs, x)

    return {"cnn": cnn, "mlp": mlp, "lstm": lstm, "transformer": transformer}


def _data(name, batch):
    """Synthetic inputs and labels (inputs standard normal, labels uniform), seeded."""
    t = tf()
    g = t.random.Generator.from_seed(0)
    if name == "cnn":
        return g.normal((batch, 28, 28, 1)), g.uniform((batch,), 0, 10, dtype=t.int32)
    if name == "mlp":
        return g.normal((batch, 784)), g.uniform((batch,), 0, 10, dtype=t.int32)
    if name == "lstm":
        return g.uniform((batch, 100), 0, 10000, dtype=t.int32), t.cast(g.uniform((batch, 1), 0, 2, dtype=t.int32), t.float32)
    raise ValueError("unknown workload %r" % name)


def make_workload(name, batch):
    """The step closure of a training workload (`cnn`, `mlp`, `lstm`)."""
    import keras
    t = tf()
    keras.utils.set_random_seed(42)
    model = _models()[name]()
    x, y = _data(name, batch)
    if name == "lstm":
        loss = keras.losses.BinaryCrossentropy(from_logits=True)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    weights = model.trainable_variables

    @t.function(jit_compile=True)
    def train_step(inputs, labels):  # the batch is an argument, as in a real loop
        with t.GradientTape() as tape:
            value = loss(labels, model(inputs, training=True))
        optimizer.apply(tape.gradient(value, weights), weights)
        return value

    return lambda: train_step(x, y)


def _cnn_forward(batch):
    import keras
    keras.utils.set_random_seed(42)
    model = _models()["cnn"]()
    x = tf().random.Generator.from_seed(0).normal((batch, 28, 28, 1))
    forward = tf().function(lambda v: model(v, training=False), jit_compile=True)
    return lambda: forward(x).numpy()


def _transformer(batch, seq):
    import keras
    t = tf()
    keras.utils.set_random_seed(42)
    model = _models()["transformer"](seq)
    g = t.random.Generator.from_seed(0)
    x = g.normal((batch, seq, 128))  # input: no gradient
    gy = g.normal((batch, seq, 128))
    weights = model.trainable_variables

    @t.function(jit_compile=True)
    def forward_backward(inputs, gradient):
        with t.GradientTape() as tape:
            y = model(inputs, training=True)
        return tape.gradient(y, weights, output_gradients=gradient)

    return lambda: forward_backward(x, gy)


def param_counts():
    """Trainable parameters of each model (to compare with bench_peer.py's)."""
    import numpy as np
    out = {}
    for name, make in _models().items():
        out[name] = int(sum(np.prod(w.shape) for w in make().trainable_weights))
    return out


def info():
    import keras
    import numpy as np
    t = tf()
    return json.dumps({
        "tensorflow": t.__version__, "keras": keras.__version__, "numpy": np.__version__,
        "intra_op_threads": t.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": t.config.threading.get_inter_op_parallelism_threads(),
        "cpus": sorted(os.sched_getaffinity(0)),
        "jit_compile": True,
        "params": param_counts(),
    })


def _finish(out):
    """Reads the last step's loss: what a training loop that logs it waits for (a 4-byte copy)."""
    out.numpy()


if __name__ == "__main__":
    model_peer("the Keras peer", set_threads, info, make_workload, _cnn_forward, _transformer, _finish)
