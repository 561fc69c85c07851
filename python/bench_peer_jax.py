"""Benchmark peer for `lepton-bench`: JAX on the CPU (XLA), with Flax (linen) models and Optax.

Started by the Swift benchmark (Sources/LeptonBenchmarks/PeerProcess.swift) with the Python of
`.venv-bench-jax` (scripts/bench_peers_setup.sh; `LEPTON_PYTHON_JAX` overrides it), one process
per thread count. Same line protocol and the same models as bench_peer.py (see its docstring and
bench_peer_common.py); the kernel commands (sgemm, conv, elementwise) answer "error unsupported".

    threads N              -> "ok N"; must come before anything imports JAX (the first command)
    info                   -> "info <json>": versions, devices, thread settings, parameter counts
    cnn_train B REPS, cnn_infer B REPS, cnn_latency REPS, mlp_train B REPS, lstm_train B REPS,
    transformer B S REPS   -> as bench_peer.py

Threads: XLA's CPU client runs its work on an intra-op thread pool whose size is the environment
variable PJRT_NPROC when set (else the number of cores); neither OMP_NUM_THREADS nor
`--xla_cpu_multi_thread_eigen=false` alone limits it (measured: a jitted 2048² matmul loop used
1.5–1.7 CPU-seconds per second on 2 cores with either, 1.0 with PJRT_NPROC=1). Even with a pool
of one, XLA runs independent parts of a step on the calling thread and the pool thread at once:
CNN training at batch 128 used 1.27 cores (0.79 CPU-s on the Python thread, 2.20 on
"tf_XLAEigen" in a 2.36 s window) and was 20 % faster than pinned to one core. So `threads N`
pins the process to N cores (sched_setaffinity, when N is below the machine's count) and sets
PJRT_NPROC=N, OMP_NUM_THREADS=N and, for N = 1, XLA_FLAGS=--xla_cpu_multi_thread_eigen=false,
before importing JAX.

Written as a JAX user would: a Flax linen module, `optax.adam(1e-3)`, and one `jax.jit`-compiled
training step (forward, loss, `jax.value_and_grad`, Optax update, `apply_updates`) whose parameter
and optimizer-state buffers are donated. The training loop keeps the returned state and does not
wait between steps (JAX dispatches asynchronously); a timed window waits for the last step's
result before the clock stops. Inference is a jitted `apply`; a latency call waits for its output.
Compilation happens in the untimed warm-up, on first use.
- CNN: [N, 28, 28, 1] (NHWC, Flax's layout) -> Conv(32, 3×3, VALID) -> relu -> max_pool 2×2 ->
  flatten -> Dense(128) -> relu -> Dense(10); softmax cross-entropy with integer labels (mean).
- MLP: 784 -> 256 -> 256 -> 10 with relu; the same loss.
- LSTM: Embed(10000, 64) -> RNN(OptimizedLSTMCell(128)), last output -> Dense(1); sigmoid binary
  cross-entropy on the logit (mean). Flax's cell has one bias per gate where PyTorch's has two
  (b_ih + b_hh): 512 parameters fewer, the same function.
- Transformer: 6 post-norm blocks as nn.TransformerEncoderLayer(128, 4, 512, dropout=0): x =
  LayerNorm(x + MultiHeadDotProductAttention(4 heads, 128)(x)); x = LayerNorm(x + Dense(128)(relu(
  Dense(512)(x)))), LayerNorm epsilon 1e-5; forward + backward with a fixed output gradient
  (`jax.vjp`), the parameter gradients returned.
"""
import json
import os

from bench_peer_common import model_peer, pin_to_cores

_jax = None


def set_threads(n):
    """Fixes JAX's thread count; only before JAX is imported (the peer's first command)."""
    if _jax is not None:
        if os.environ.get("PJRT_NPROC") == str(n):
            return "ok %d" % n
        raise RuntimeError("JAX is already running with PJRT_NPROC=%s" % os.environ.get("PJRT_NPROC"))
    pin_to_cores(n)
    os.environ["PJRT_NPROC"] = str(n)
    os.environ["OMP_NUM_THREADS"] = str(n)
    if n == 1:
        flags = os.environ.get("XLA_FLAGS", "")
        os.environ["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false").strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    jax()
    return "ok %d" % n


def jax():
    global _jax
    if _jax is None:
        import jax as j
        _jax = j
    return _jax


def _modules():
    import flax.linen as nn

    class CNN(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.relu(nn.Conv(32, (3, 3), padding="VALID")(x))
            x = nn.max_pool(x, (2, 2), strides=(2, 2))
            x = x.reshape((x.shape[0], -1))
            return nn.Dense(10)(nn.relu(nn.Dense(128)(x)))

    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.relu(nn.Dense(256)(x))
            x = nn.relu(nn.Dense(256)(x))
            return nn.Dense(10)(x)

    class LSTMClassifier(nn.Module):
        @nn.compact
        def __call__(self, ids):
            x = nn.Embed(10000, 64)(ids)
            out = nn.RNN(nn.OptimizedLSTMCell(128))(x)
            return nn.Dense(1)(out[:, -1])

    class EncoderLayer(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.LayerNorm(epsilon=1e-5)(x + nn.MultiHeadDotProductAttention(num_heads=4, qkv_features=128)(x))
            ff = nn.Dense(128)(nn.relu(nn.Dense(512)(x)))
            return nn.LayerNorm(epsilon=1e-5)(x + ff)

    class Encoder(nn.Module):
        @nn.compact
        def __call__(self, x):
            for _ in range(6):
                x = EncoderLayer()(x)
            return x

    return {"cnn": CNN, "mlp": MLP, "lstm": LSTMClassifier, "transformer": Encoder}


def _data(name, batch):
    """The model, its synthetic input and labels (inputs standard normal, labels uniform)."""
    import jax.numpy as jnp
    j = jax()
    kx, ky = j.random.split(j.random.PRNGKey(0))
    model = _modules()[name]()
    if name == "cnn":
        return model, j.random.normal(kx, (batch, 28, 28, 1)), j.random.randint(ky, (batch,), 0, 10)
    if name == "mlp":
        return model, j.random.normal(kx, (batch, 784)), j.random.randint(ky, (batch,), 0, 10)
    if name == "lstm":
        y = j.random.randint(ky, (batch, 1), 0, 2).astype(jnp.float32)
        return model, j.random.randint(kx, (batch, 100), 0, 10000), y
    raise ValueError("unknown workload %r" % name)


def _loss(name):
    import optax
    if name == "lstm":
        return lambda logits, y: optax.sigmoid_binary_cross_entropy(logits, y).mean()
    return lambda logits, y: optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def make_workload(name, batch):
    """The step closure of a training workload (`cnn`, `mlp`, `lstm`): one jitted training step."""
    import optax
    j = jax()
    model, x, y = _data(name, batch)
    loss_of = _loss(name)
    params = model.init(j.random.PRNGKey(42), x)
    tx = optax.adam(1e-3)

    def loss_fn(p, inputs, labels):
        return loss_of(model.apply(p, inputs), labels)

    def train_step(p, opt_state, inputs, labels):  # the batch is an argument, as in a real loop
        loss, grads = j.value_and_grad(loss_fn)(p, inputs, labels)
        updates, opt_state = tx.update(grads, opt_state, p)
        return optax.apply_updates(p, updates), opt_state, loss

    train_step = j.jit(train_step, donate_argnums=(0, 1))
    state = [params, tx.init(params)]

    def step():
        state[0], state[1], loss = train_step(state[0], state[1], x, y)
        return loss

    return step


def _cnn_forward(batch):
    j = jax()
    model = _modules()["cnn"]()
    x = j.random.normal(j.random.PRNGKey(0), (batch, 28, 28, 1))
    params = model.init(j.random.PRNGKey(42), x)
    forward = j.jit(model.apply)
    return lambda: forward(params, x).block_until_ready()


def _transformer(batch, seq):
    j = jax()
    model = _modules()["transformer"]()
    kx, kg = j.random.split(j.random.PRNGKey(0))
    x = j.random.normal(kx, (batch, seq, 128))  # input: no gradient
    gy = j.random.normal(kg, (batch, seq, 128))
    params = model.init(j.random.PRNGKey(42), x)

    @j.jit
    def forward_backward(p, inputs, gradient):
        _, pullback = j.vjp(lambda q: model.apply(q, inputs), p)
        return pullback(gradient)[0]

    return lambda: forward_backward(params, x, gy)


def param_counts():
    """Trainable parameters of each model (to compare with bench_peer.py's)."""
    j = jax()
    inputs = {"cnn": j.numpy.zeros((1, 28, 28, 1)), "mlp": j.numpy.zeros((1, 784)),
              "lstm": j.numpy.zeros((1, 100), j.numpy.int32), "transformer": j.numpy.zeros((1, 8, 128))}
    out = {}
    for name, module in _modules().items():
        shapes = j.eval_shape(lambda m=module(), x=inputs[name]: m.init(j.random.PRNGKey(0), x))
        out[name] = sum(int(leaf.size) for leaf in j.tree_util.tree_leaves(shapes))
    return out


def info():
    import flax
    import jaxlib
    import numpy as np
    import optax
    j = jax()
    return json.dumps({
        "jax": j.__version__, "jaxlib": jaxlib.__version__,
        "flax": flax.__version__, "optax": optax.__version__, "numpy": np.__version__,
        "devices": [str(d) for d in j.devices()],
        "PJRT_NPROC": os.environ.get("PJRT_NPROC"), "XLA_FLAGS": os.environ.get("XLA_FLAGS"),
        "cpus": sorted(os.sched_getaffinity(0)),
        "params": param_counts(),
    })


def _finish(out):
    jax().block_until_ready(out)


if __name__ == "__main__":
    model_peer("the JAX peer", set_threads, info, make_workload, _cnn_forward, _transformer, _finish,
               transformer_finish=_finish)
