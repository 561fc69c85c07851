"""PyTorch references for Lepton's optimizers, learning-rate schedules and gradient clipping
(Sources/LeptonNN/Optimizers).

``optimizer``: inputs are k initial parameters followed by k gradient sequences
(``[steps, *shape]`` each); the gradients are set on ``p.grad`` by hand and ``step()`` is
called, optionally after ``clip_grad_value_`` / ``clip_grad_norm_`` (Lepton's order: value,
then norm). Hyperparameters not given take Lepton's defaults (Keras 3's), not torch's.
Returns each parameter's trajectory ``[steps, *shape]``. Runs in float32, as Lepton does.
"""
import numpy as np
import torch


def _t(a):
    return torch.from_numpy(np.array(a, dtype=np.float32, copy=True))


def _make_optimizer(name, params, h):
    lr = h.get("lr", 0.01)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=h.get("momentum", 0.0), dampening=h.get("dampening", 0.0),
                               nesterov=h.get("nesterov", False), weight_decay=h.get("weight_decay", 0.0))
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(h.get("beta1", 0.9), h.get("beta2", 0.999)),
                                eps=h.get("eps", 1e-7), weight_decay=h.get("weight_decay", 0.0), foreach=False)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=(h.get("beta1", 0.9), h.get("beta2", 0.999)),
                                 eps=h.get("eps", 1e-7), weight_decay=h.get("weight_decay", 0.004), foreach=False)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=h.get("alpha", 0.9), eps=h.get("eps", 1e-7),
                                   momentum=h.get("momentum", 0.0), centered=h.get("centered", False),
                                   weight_decay=h.get("weight_decay", 0.0), foreach=False)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, lr_decay=h.get("lr_decay", 0.0),
                                   weight_decay=h.get("weight_decay", 0.0),
                                   initial_accumulator_value=h.get("initial_accumulator", 0.1),
                                   eps=h.get("eps", 1e-7), foreach=False)
    raise ValueError(f"unknown optimizer {name}")


def _optimizer(inputs, attrs):
    k = len(inputs) // 2
    params = [_t(p).requires_grad_(True) for p in inputs[:k]]
    grads = [_t(g) for g in inputs[k:]]
    steps = grads[0].shape[0]
    opt = _make_optimizer(attrs["name"], params, attrs.get("hyper", {}))
    trajectories = [[] for _ in params]
    for s in range(steps):
        for p, g in zip(params, grads):
            p.grad = g[s].clone()
        if attrs.get("clip_value") is not None:
            torch.nn.utils.clip_grad_value_(params, attrs["clip_value"])
        if attrs.get("clip_norm") is not None:
            torch.nn.utils.clip_grad_norm_(params, attrs["clip_norm"])
        opt.step()
        for trajectory, p in zip(trajectories, params):
            trajectory.append(p.detach().clone())
    return [torch.stack(t).numpy() for t in trajectories]


def _make_scheduler(opt, spec):
    kind = spec["kind"]
    if kind == "constant":
        return torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0)
    if kind == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=spec["step_size"], gamma=spec["gamma"])
    if kind == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(opt, gamma=spec["gamma"])
    if kind == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=spec["total"], eta_min=spec["minimum"])
    raise ValueError(f"unknown schedule {kind}")


def _lr_schedule(inputs, attrs):
    """The learning rate of steps 0..<steps: StepLR / ExponentialLR / CosineAnnealingLR, or
    a LinearLR warm-up from base/warmup up to base over `warmup` steps followed by one of
    them (SequentialLR)."""
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=attrs["base"])
    spec = attrs["schedule"]
    if spec["kind"] == "warmup":
        n = spec["steps"]
        warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0 / n, end_factor=1.0, total_iters=n - 1)
        then = _make_scheduler(opt, spec["then"])
        sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, then], milestones=[n])
    else:
        sched = _make_scheduler(opt, spec)
    rates = []
    for _ in range(attrs["steps"]):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return [np.array(rates, dtype=np.float32)]


def _clip_grad_norm(inputs, attrs):
    params = [torch.zeros(g.shape, requires_grad=True) for g in inputs]
    for p, g in zip(params, inputs):
        p.grad = _t(g)
    norm = torch.nn.utils.clip_grad_norm_(params, attrs["max_norm"])
    return [p.grad.numpy() for p in params] + [np.array(norm.item(), dtype=np.float32)]


def _clip_grad_value(inputs, attrs):
    params = [torch.zeros(g.shape, requires_grad=True) for g in inputs]
    for p, g in zip(params, inputs):
        p.grad = _t(g)
    torch.nn.utils.clip_grad_value_(params, attrs["value"])
    return [p.grad.numpy() for p in params]


OPS = {
    "optimizer": _optimizer,
    "lr_schedule": _lr_schedule,
    "clip_grad_norm": _clip_grad_norm,
    "clip_grad_value": _clip_grad_value,
}
