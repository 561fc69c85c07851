"""PyTorch references for Lepton's layers (Sources/LeptonNN/Layers).

Every op takes float32 NumPy arrays in Lepton's layouts (Keras's: Dense kernels are
``[in, out]``, images ``channels_last`` unless ``attrs["data_format"] == "channelsFirst"``)
and converts them to PyTorch's before calling ``torch.nn.functional``. Computation is in
float64 so that the reference is more accurate than either float32 implementation.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a)).to(torch.float64)


def _out(t):
    return t.detach().to(torch.float32).numpy()


# --------------------------------------------------------------------------------------------
# Activations

def _activate(x, name):
    if name == "linear":
        return x
    if name == "relu":
        return F.relu(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "softmax":
        return F.softmax(x, dim=-1)
    if name == "logSoftmax":
        return F.log_softmax(x, dim=-1)
    if name == "gelu":
        return F.gelu(x)  # exact (erf) form, as Keras's default
    if name == "elu":
        return F.elu(x, alpha=1.0)
    if name == "leakyRelu":
        return F.leaky_relu(x, negative_slope=0.2)  # Keras 3's activations.leaky_relu default
    if name == "softplus":
        return F.softplus(x)
    raise ValueError(f"unknown activation {name}")


def _activation(inputs, attrs):
    return [_out(_activate(_t(inputs[0]), attrs["name"]))]


# --------------------------------------------------------------------------------------------
# Dense

def _dense(inputs, attrs):
    """inputs: x [..., in], kernel [in, out] (Keras layout), optional bias [out]."""
    x, kernel = _t(inputs[0]), _t(inputs[1])
    bias = _t(inputs[2]) if len(inputs) > 2 else None
    y = F.linear(x, kernel.T, bias)  # torch.nn.Linear's weight is the transposed kernel
    return [_out(_activate(y, attrs.get("activation", "linear")))]


# --------------------------------------------------------------------------------------------
# Convolution and pooling

def _to_nchw(x, attrs):
    return x if attrs.get("data_format") == "channelsFirst" else x.permute(0, 3, 1, 2)


def _from_nchw(y, attrs):
    return y if attrs.get("data_format") == "channelsFirst" else y.permute(0, 2, 3, 1)


def _same_padding(size, kernel, stride, dilation):
    """TensorFlow's SAME rule: output ceil(size / stride); the odd cell goes after."""
    span = dilation * (kernel - 1) + 1
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + span - size)
    return total // 2, total - total // 2


def _conv2d(inputs, attrs):
    """inputs: x (layout per data_format), weight [F, C/groups, KH, KW], optional bias [F]."""
    x = _to_nchw(_t(inputs[0]), attrs)
    w = _t(inputs[1])
    b = _t(inputs[2]) if len(inputs) > 2 else None
    stride = attrs.get("stride", [1, 1])
    dilation = attrs.get("dilation", [1, 1])
    if attrs.get("padding", "valid") == "same":
        pt, pb = _same_padding(x.shape[2], w.shape[2], stride[0], dilation[0])
        pl, pr = _same_padding(x.shape[3], w.shape[3], stride[1], dilation[1])
        x = F.pad(x, (pl, pr, pt, pb))
    y = F.conv2d(x, w, b, stride=stride, dilation=dilation, groups=attrs.get("groups", 1))
    y = _activate(y, attrs.get("activation", "linear"))
    return [_out(_from_nchw(y, attrs))]


def _pool2d(inputs, attrs):
    """Keras MaxPooling2D / AveragePooling2D, computed with explicit loops in NumPy.

    'same' follows TensorFlow: the output is ceil(size / stride); padded cells are ignored
    (neither a candidate maximum nor counted in the average)."""
    x = np.asarray(inputs[0], dtype=np.float64)
    if attrs.get("data_format") != "channelsFirst":
        x = x.transpose(0, 3, 1, 2)
    kh, kw = attrs["pool"]
    sh, sw = attrs.get("stride") or attrs["pool"]
    n, c, h, w = x.shape
    if attrs.get("padding", "valid") == "same":
        (pt, _), (pl, _) = _same_padding(h, kh, sh, 1), _same_padding(w, kw, sw, 1)
        oh, ow = -(-h // sh), -(-w // sw)
    else:
        pt = pl = 0
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - pt, j * sw - pl
            r1, c1 = min(r0 + kh, h), min(c0 + kw, w)
            r0, c0 = max(r0, 0), max(c0, 0)
            window = x[:, :, r0:r1, c0:c1]
            y[:, :, i, j] = window.max(axis=(2, 3)) if attrs["kind"] == "max" else window.mean(axis=(2, 3))
    if attrs.get("data_format") != "channelsFirst":
        y = y.transpose(0, 2, 3, 1)
    return [y.astype(np.float32)]


def _torch_pool2d(inputs, attrs):
    """Valid pooling through torch.nn.functional (a second reference for the 'valid' case)."""
    x = _to_nchw(_t(inputs[0]), attrs)
    pool = attrs["pool"]
    stride = attrs.get("stride") or pool
    y = F.max_pool2d(x, pool, stride) if attrs["kind"] == "max" else F.avg_pool2d(x, pool, stride)
    return [_out(_from_nchw(y, attrs))]


def _global_avg_pool2d(inputs, attrs):
    x = _to_nchw(_t(inputs[0]), attrs)
    return [_out(F.adaptive_avg_pool2d(x, 1).flatten(1))]


# --------------------------------------------------------------------------------------------
# Normalisation

def _batch_norm(inputs, attrs):
    """inputs: x, gamma, beta, running_mean, running_var; attrs: axis (the feature axis),
    training, momentum (PyTorch's: 1 − Keras's), eps. Returns y and the updated running
    mean and variance."""
    x, gamma, beta = _t(inputs[0]), _t(inputs[1]), _t(inputs[2])
    mean, var = _t(inputs[3]).clone(), _t(inputs[4]).clone()
    axis = attrs.get("axis", -1) % x.dim()
    xm = torch.movedim(x, axis, 1)
    y = F.batch_norm(xm, mean, var, gamma, beta, training=attrs["training"],
                     momentum=attrs["momentum"], eps=attrs["eps"])
    return [_out(torch.movedim(y, 1, axis)), _out(mean), _out(var)]


def _layer_norm(inputs, attrs):
    x, gamma, beta = _t(inputs[0]), _t(inputs[1]), _t(inputs[2])
    return [_out(F.layer_norm(x, (x.shape[-1],), gamma, beta, eps=attrs["eps"]))]


# --------------------------------------------------------------------------------------------
# Embedding

def _embedding(inputs, attrs):
    """inputs: weight [V, D], indices (int32), upstream gradient [..., D]. Returns the
    lookup and the gradient of Σ output · upstream with respect to the weight."""
    weight = _t(inputs[0]).requires_grad_(True)
    indices = torch.from_numpy(np.ascontiguousarray(inputs[1])).long()
    upstream = _t(inputs[2])
    y = F.embedding(indices, weight, padding_idx=attrs.get("padding_idx"))
    (y * upstream).sum().backward()
    return [_out(y), _out(weight.grad)]


OPS = {
    "activation": _activation,
    "dense": _dense,
    "conv2d": _conv2d,
    "pool2d": _pool2d,
    "torch_pool2d": _torch_pool2d,
    "global_avg_pool2d": _global_avg_pool2d,
    "batch_norm": _batch_norm,
    "layer_norm": _layer_norm,
    "embedding": _embedding,
}
