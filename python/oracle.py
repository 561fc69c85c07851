#!/usr/bin/env python3
"""NumPy oracle for Lepton's forward-correctness tests.

A persistent process: it reads one JSON request per line on stdin and writes one JSON
response per line on stdout (flushed after each line).

Request::

    {"op": "add",
     "inputs": [{"shape": [2, 3], "dtype": "float32", "data": "<base64 little-endian bytes>"}, ...],
     "attrs": {...}}

Response::

    {"outputs": [{"shape": [...], "dtype": "float32" | "int32", "data": "<base64>"}]}
    {"error": "..."}

On start-up the process writes one line, ``{"ready": true, "numpy": "<version>"}``, or
``{"error": "..."}`` when NumPy cannot be imported.

Every op follows Lepton's (PyTorch's) float32 semantics. Values are computed in float64 from
the float32 inputs and rounded to float32 once, so the oracle is at least as accurate as any
float32 implementation; `+ - * /` and `sqrt` then agree bit for bit.

Run ``python3 python/oracle.py --selftest`` to check the convolution and pooling definitions
against direct loops.
"""

import base64
import json
import math
import sys


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


try:
    import numpy as np
except ImportError as _error:  # pragma: no cover - reported to the Swift client
    np = None
    _IMPORT_ERROR = str(_error)
else:
    _IMPORT_ERROR = None

try:
    from scipy.special import erf as _scipy_erf
except ImportError:  # SciPy is optional: fall back to math.erf element by element.
    _scipy_erf = None


# --------------------------------------------------------------------------------------------
# Wire format

_DTYPES = {"float32": "<f4", "int32": "<i4", "int8": "i1"}


def decode(spec):
    dtype = spec.get("dtype", "float32")
    if dtype not in _DTYPES:
        raise ValueError(f"unsupported dtype {dtype!r}")
    raw = base64.b64decode(spec.get("data", ""))
    shape = tuple(int(d) for d in spec["shape"])
    return np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(shape).copy()


def encode(array):
    a = np.asarray(array)
    if a.dtype == np.bool_ or a.dtype.kind == "f":
        a, name = a.astype("<f4"), "float32"
    elif a.dtype.kind in "iu":
        a, name = a.astype("<i4"), "int32"
    else:
        raise ValueError(f"cannot encode an array of dtype {a.dtype}")
    a = np.array(a, order="C", copy=True)
    return {"shape": list(a.shape), "dtype": name, "data": base64.b64encode(a.tobytes()).decode("ascii")}


# --------------------------------------------------------------------------------------------
# Helpers


def f64(x):
    return np.asarray(x, dtype=np.float64)


def f32attr(attrs, key, default):
    """A float attribute rounded to float32 (what the Swift op sees), as a float64."""
    value = attrs.get(key, default)
    if value is None:
        return None
    return float(np.float32(value))


def axes_attr(attrs, rank):
    axes = attrs.get("axes")
    if axes is None:
        return None
    return tuple(a % rank if rank else 0 for a in axes)


def erf(x):
    if _scipy_erf is not None:
        return _scipy_erf(x)
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def pair(value, name):
    if isinstance(value, int):
        return value, value
    if len(value) != 2:
        raise ValueError(f"{name} {value} must have 2 values")
    return int(value[0]), int(value[1])


# --------------------------------------------------------------------------------------------
# Element-wise ops

_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: np.power(a, b),
    "maximum": np.maximum,
    "minimum": np.minimum,
}

_COMPARE = {
    "equal": np.equal,
    "not_equal": np.not_equal,
    "less": np.less,
    "less_equal": np.less_equal,
    "greater": np.greater,
    "greater_equal": np.greater_equal,
}


def _gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def _gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _softplus(x):
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


def unary(op, x, attrs):
    x = f64(x)
    with np.errstate(all="ignore"):
        if op == "neg":
            return -x
        if op == "abs":
            return np.abs(x)
        if op == "exp":
            return np.exp(x)
        if op == "log":
            return np.log(x)
        if op == "sqrt":
            return np.sqrt(x)
        if op == "square":
            return x * x
        if op == "sign":
            return np.sign(x)
        if op == "clamp":
            lo = f32attr(attrs, "min", None)
            hi = f32attr(attrs, "max", None)
            lo = -np.inf if lo is None else lo
            hi = np.inf if hi is None else hi
            return np.minimum(np.maximum(x, lo), hi)
        if op == "relu":
            return np.maximum(x, 0.0)
        if op == "leaky_relu":
            slope = f32attr(attrs, "slope", 0.01)
            return np.where(x < 0, slope * x, x)
        if op == "elu":
            alpha = f32attr(attrs, "alpha", 1.0)
            return np.where(x < 0, alpha * np.expm1(x), x)
        if op == "gelu":
            return _gelu_tanh(x) if attrs.get("approximate") in (True, "tanh") else _gelu(x)
        if op == "gelu_tanh":
            return _gelu_tanh(x)
        if op == "sigmoid":
            return _sigmoid(x)
        if op == "silu":
            return x * _sigmoid(x)
        if op == "tanh":
            return np.tanh(x)
        if op == "softplus":
            return _softplus(x)
        if op == "pow_scalar":
            return np.power(x, f32attr(attrs, "exponent", 1.0))
        if op == "affine":
            return f32attr(attrs, "scale", 1.0) * x + f32attr(attrs, "shift", 0.0)
    raise KeyError(op)


_UNARY = {"neg", "abs", "exp", "log", "sqrt", "square", "sign", "clamp", "relu", "leaky_relu", "elu",
          "gelu", "gelu_tanh", "sigmoid", "silu", "tanh", "softplus", "pow_scalar", "affine"}


# --------------------------------------------------------------------------------------------
# Reductions and softmax


def reduction(op, x, attrs):
    keep = bool(attrs.get("keepdims", False))
    axes = axes_attr(attrs, x.ndim)
    x = f64(x)
    if op == "sum":
        return np.sum(x, axis=axes, keepdims=keep)
    if op == "mean":
        return np.mean(x, axis=axes, keepdims=keep)
    if op == "variance":
        return np.var(x, axis=axes, keepdims=keep, ddof=int(attrs.get("correction", 0)))
    if op == "max":
        return np.max(x, axis=axes, keepdims=keep)
    if op == "min":
        return np.min(x, axis=axes, keepdims=keep)
    if op == "logsumexp":
        m = np.max(x, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        if not keep:
            out = np.squeeze(out, axis=axes if axes is not None else tuple(range(x.ndim)))
        return out
    raise KeyError(op)


def softmax(x, axis, log):
    x = f64(x)
    if x.ndim == 0:
        return np.zeros_like(x) if log else np.ones_like(x)
    m = np.max(x, axis=axis, keepdims=True)
    z = x - m
    lse = np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    return z - lse if log else np.exp(z - lse)


# --------------------------------------------------------------------------------------------
# Convolution and pooling (NCHW, PyTorch conventions)


def conv2d(x, w, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """Cross-correlation: pad, take strided windows, contract with einsum."""
    x, w = f64(x), f64(w)
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    sh, sw = pair(stride, "stride")
    dh, dw = pair(dilation, "dilation")
    if len(padding) == 2:
        pt, pb, pl, pr = padding[0], padding[0], padding[1], padding[1]
    elif len(padding) == 4:
        pt, pb, pl, pr = padding
    else:
        raise ValueError(f"padding {padding} must have 2 or 4 values")
    if c != cg * groups or o % groups:
        raise ValueError(f"channels: input {x.shape}, weight {w.shape}, groups {groups}")
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError("kernel does not fit the padded input")
    # cols[n, c, i, j, y, x] = xp[n, c, y*sh + i*dh, x*sw + j*dw]
    cols = np.empty((n, c, kh, kw, oh, ow))
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i * dh: i * dh + sh * (oh - 1) + 1: sh,
                                  j * dw: j * dw + sw * (ow - 1) + 1: sw]
    g = groups
    cols = cols.reshape(n, g, cg, kh, kw, oh, ow)
    wg = w.reshape(g, o // g, cg, kh, kw)
    out = np.einsum("ngcijyx,gocij->ngoyx", cols, wg, optimize=True)
    return out.reshape(n, o, oh, ow)


def conv_transpose2d(x, w, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1), groups=1):
    """Transposed convolution as a scatter: input pixel (iy, ix) times the kernel lands at
    output rows iy*sh + i*dh - ph and columns ix*sw + j*dw - pw (the adjoint of conv2d)."""
    x, w = f64(x), f64(w)
    n, c, h, wd = x.shape
    cw, og, kh, kw = w.shape
    sh, sw = pair(stride, "stride")
    dh, dw = pair(dilation, "dilation")
    ph, pw = pair(padding, "padding")
    oph, opw = pair(output_padding, "output_padding")
    g = groups
    if cw != c or c % g:
        raise ValueError(f"channels: input {x.shape}, weight {w.shape}, groups {groups}")
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    ow = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError("output size is not positive")
    full_h = max((h - 1) * sh + dh * (kh - 1) + 1, ph + oh)
    full_w = max((wd - 1) * sw + dw * (kw - 1) + 1, pw + ow)
    full = np.zeros((n, og * g, full_h, full_w))
    xg = x.reshape(n, g, c // g, h, wd)
    wg = w.reshape(g, c // g, og, kh, kw)
    for i in range(kh):
        for j in range(kw):
            contribution = np.einsum("ngchw,gco->ngohw", xg, wg[:, :, :, i, j]).reshape(n, og * g, h, wd)
            full[:, :, i * dh: i * dh + sh * (h - 1) + 1: sh, j * dw: j * dw + sw * (wd - 1) + 1: sw] += contribution
    return full[:, :, ph: ph + oh, pw: pw + ow]


def _pool_out(size, k, s, p, ceil_mode):
    span = size + 2 * p - k
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def pool2d(kind, x, kernel, stride=None, padding=(0, 0), count_include_pad=True, ceil_mode=False):
    """PyTorch's max_pool2d / avg_pool2d (no dilation)."""
    x = f64(x)
    n, c, h, w = x.shape
    kh, kw = pair(kernel, "kernel")
    sh, sw = pair(stride if stride is not None else kernel, "stride")
    ph, pw = pair(padding, "padding")
    oh, ow = _pool_out(h, kh, sh, ph, ceil_mode), _pool_out(w, kw, sw, pw, ceil_mode)
    out = np.empty((n, c, oh, ow))
    for y in range(oh):
        hs = y * sh - ph
        he = min(hs + kh, h + ph)
        for z in range(ow):
            ws = z * sw - pw
            we = min(ws + kw, w + pw)
            pool_size = (he - hs) * (we - ws)
            hs0, ws0, he0, we0 = max(hs, 0), max(ws, 0), min(he, h), min(we, w)
            window = x[:, :, hs0:he0, ws0:we0]
            if kind == "max":
                out[:, :, y, z] = window.max(axis=(2, 3)) if window.size else -np.inf
            else:
                divisor = pool_size if count_include_pad else (he0 - hs0) * (we0 - ws0)
                out[:, :, y, z] = window.sum(axis=(2, 3)) / max(divisor, 1) if window.size else 0.0
    return out


# --------------------------------------------------------------------------------------------
# Shapes, slicing, indexing, joining


def slice_op(x, specs):
    key = []
    for spec in specs:
        if "index" in spec:
            key.append(int(spec["index"]))
        else:
            key.append(slice(spec.get("start"), spec.get("end"), spec.get("step", 1)))
    return x[tuple(key)]


def scatter_add(x, axis, index, src):
    out = f64(x).copy()
    grid = list(np.indices(index.shape, sparse=False))
    grid[axis] = index
    np.add.at(out, tuple(grid), f64(src))
    return out


def flatten(x, start, end):
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start % x.ndim, end % x.ndim
    return x.reshape(x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:])


def cast(x, dtype):
    if dtype == "float32":
        return x.astype(np.float32)
    if dtype == "int32":
        if x.dtype.kind == "f":
            t = np.trunc(f64(x))
            t = np.where(np.isnan(t), 0, np.clip(t, -2147483648, 2147483520))
            return t.astype(np.int32)
        return x.astype(np.int32)
    raise ValueError(f"cast to {dtype!r} is not supported")


# --------------------------------------------------------------------------------------------
# Dispatch


def run(op, inputs, attrs):
    """Returns the list of output arrays of `op`."""
    if op == "ping":
        return []
    if op in _BINARY:
        a, b = inputs
        with np.errstate(all="ignore"):
            return [_BINARY[op](f64(a), f64(b))]
    if op in _COMPARE:
        a, b = inputs
        return [_COMPARE[op](a, b).astype(np.float32)]
    if op in _UNARY:
        return [unary(op, inputs[0], attrs)]
    if op == "where":
        cond, a, b = inputs
        return [np.where(cond != 0, a, b)]
    if op in ("sum", "mean", "variance", "max", "min", "logsumexp"):
        with np.errstate(all="ignore"):
            return [reduction(op, inputs[0], attrs)]
    if op in ("argmax", "argmin"):
        x = inputs[0]
        axis = int(attrs.get("axis", -1))
        keep = bool(attrs.get("keepdims", False))
        f = np.argmax if op == "argmax" else np.argmin
        return [f(x, axis=axis, keepdims=keep).astype(np.int32)]
    if op in ("softmax", "log_softmax"):
        return [softmax(inputs[0], int(attrs.get("axis", -1)), op == "log_softmax")]
    if op == "reshape":
        return [inputs[0].reshape(tuple(attrs["shape"]))]
    if op == "permute":
        return [np.transpose(inputs[0], tuple(attrs["axes"]))]
    if op == "transpose":
        return [np.swapaxes(inputs[0], int(attrs["axis0"]), int(attrs["axis1"]))]
    if op == "squeeze":
        axis = attrs.get("axis")
        return [np.squeeze(inputs[0], axis=None if axis is None else int(axis))]
    if op == "unsqueeze":
        return [np.expand_dims(inputs[0], int(attrs["axis"]))]
    if op in ("expand", "broadcast_to"):
        return [np.broadcast_to(inputs[0], tuple(attrs["shape"])).copy()]
    if op == "flatten":
        return [flatten(inputs[0], int(attrs.get("start", 0)), int(attrs.get("end", -1)))]
    if op == "slice":
        return [slice_op(inputs[0], attrs["specs"])]
    if op == "index_select":
        x, index = inputs
        return [np.take(x, index, axis=int(attrs["axis"]))]
    if op == "gather":
        x, index = inputs
        return [np.take_along_axis(x, index.astype(np.intp), axis=int(attrs["axis"]) % x.ndim)]
    if op == "scatter_add":
        x, index, src = inputs
        return [scatter_add(x, int(attrs["axis"]) % x.ndim, index.astype(np.intp), src)]
    if op == "concatenate":
        return [np.concatenate(inputs, axis=int(attrs.get("axis", 0)))]
    if op == "stack":
        return [np.stack(inputs, axis=int(attrs.get("axis", 0)))]
    if op == "split":
        x = inputs[0]
        axis = int(attrs.get("axis", 0))
        if "sizes" in attrs:
            cuts = np.cumsum(attrs["sizes"])[:-1]
            return list(np.split(x, cuts, axis=axis))
        return list(np.split(x, int(attrs["parts"]), axis=axis))
    if op == "pad":
        x = inputs[0]
        widths = [tuple(wd) for wd in attrs["widths"]]
        widths += [(0, 0)] * (x.ndim - len(widths))
        return [np.pad(x, widths, mode="constant", constant_values=f32attr(attrs, "value", 0.0))]
    if op == "matmul":
        a, b = inputs
        return [np.matmul(f64(a), f64(b))]
    if op == "conv2d":
        x, w = inputs[0], inputs[1]
        out = conv2d(x, w, attrs.get("stride", [1, 1]), attrs.get("padding", [0, 0]),
                     attrs.get("dilation", [1, 1]), int(attrs.get("groups", 1)))
        if len(inputs) > 2:
            out = out + f64(inputs[2]).reshape(1, -1, 1, 1)
        return [out]
    if op == "conv_transpose2d":
        x, w = inputs[0], inputs[1]
        out = conv_transpose2d(x, w, attrs.get("stride", [1, 1]), attrs.get("padding", [0, 0]),
                               attrs.get("output_padding", [0, 0]), attrs.get("dilation", [1, 1]),
                               int(attrs.get("groups", 1)))
        if len(inputs) > 2:
            out = out + f64(inputs[2]).reshape(1, -1, 1, 1)
        return [out]
    if op in ("max_pool2d", "avg_pool2d"):
        return [pool2d("max" if op == "max_pool2d" else "avg", inputs[0], attrs["kernel"], attrs.get("stride"),
                       attrs.get("padding", [0, 0]), bool(attrs.get("count_include_pad", True)),
                       bool(attrs.get("ceil_mode", False)))]
    if op == "embedding":
        weight, indices = inputs
        return [weight[indices]]
    if op == "one_hot":
        indices = inputs[0]
        return [np.eye(int(attrs["classes"]), dtype=np.float32)[indices]]
    if op == "arange":
        start, end, step = f32attr(attrs, "start", 0.0), f32attr(attrs, "end", None), f32attr(attrs, "step", 1.0)
        n = max(0, math.ceil((end - start) / step))
        return [start + np.arange(n, dtype=np.float64) * step]
    if op == "linspace":
        return [np.linspace(f32attr(attrs, "start", 0.0), f32attr(attrs, "end", None), int(attrs["count"]))]
    if op == "eye":
        rows = int(attrs["rows"])
        return [np.eye(rows, int(attrs.get("columns") or rows))]
    if op == "cast":
        return [cast(inputs[0], attrs["dtype"])]
    raise ValueError(f"unknown op {op!r}")


# --------------------------------------------------------------------------------------------
# Self-test of the convolution and pooling definitions against direct loops


def _selftest():
    rng = np.random.default_rng(0)

    def direct_conv(x, w, s, p, d, g):
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        pt, pb, pl, pr = p
        oh = (h + pt + pb - d[0] * (kh - 1) - 1) // s[0] + 1
        ow = (wd + pl + pr - d[1] * (kw - 1) - 1) // s[1] + 1
        out = np.zeros((n, o, oh, ow))
        for b in range(n):
            for oc in range(o):
                grp = oc // (o // g)
                for y in range(oh):
                    for z in range(ow):
                        acc = 0.0
                        for ci in range(cg):
                            for i in range(kh):
                                for j in range(kw):
                                    iy, ix = y * s[0] - pt + i * d[0], z * s[1] - pl + j * d[1]
                                    if 0 <= iy < h and 0 <= ix < wd:
                                        acc += x[b, grp * cg + ci, iy, ix] * w[oc, ci, i, j]
                        out[b, oc, y, z] = acc
        return out

    cases = [((2, 4, 7, 6), (6, 2, 3, 2), (2, 1), (1, 2, 0, 1), (1, 2), 2),
             ((1, 3, 5, 5), (2, 3, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
             ((1, 2, 9, 8), (4, 1, 2, 3), (3, 2), (0, 0, 2, 2), (2, 1), 2)]
    for xs, ws, s, p, d, g in cases:
        x, w = rng.standard_normal(xs), rng.standard_normal(ws)
        got = conv2d(x, w, s, p, d, g)
        want = direct_conv(x, w, s, p, d, g)
        assert np.allclose(got, want), ("conv2d", xs, ws)

    # conv_transpose2d is the adjoint of conv2d: <conv2d(y, w), x> == <y, conv_transpose2d(x, w)>.
    for xs, ws, s, p, op, d, g in [((2, 4, 3, 4), (4, 3, 3, 2), (2, 3), (1, 0), (1, 2), (1, 1), 1),
                                   ((1, 4, 4, 3), (4, 1, 2, 3), (2, 2), (0, 1), (0, 1), (2, 1), 2),
                                   ((1, 2, 5, 5), (2, 2, 3, 3), (1, 1), (1, 1), (0, 0), (1, 1), 1)]:
        x, w = rng.standard_normal(xs), rng.standard_normal(ws)
        y = conv_transpose2d(x, w, s, p, op, d, g)
        probe = rng.standard_normal(y.shape)
        lhs = np.sum(y * probe)
        rhs = 0.0
        # Direct adjoint: y[n, o, oy, ox] = sum x[n, c, iy, ix] w[c, o', i, j] with oy = iy*s - p + i*d.
        n, c, h, wd = xs
        _, og, kh, kw = ws
        for b in range(n):
            for ci in range(c):
                grp = ci // (c // g)
                for iy in range(h):
                    for ix in range(wd):
                        for oo in range(og):
                            for i in range(kh):
                                for j in range(kw):
                                    oy, ox = iy * s[0] - p[0] + i * d[0], ix * s[1] - p[1] + j * d[1]
                                    if 0 <= oy < y.shape[2] and 0 <= ox < y.shape[3]:
                                        rhs += x[b, ci, iy, ix] * w[ci, oo, i, j] * probe[b, grp * og + oo, oy, ox]
        assert abs(lhs - rhs) < 1e-9 * max(1.0, abs(rhs)), ("conv_transpose2d", xs, ws, lhs, rhs)

    # Pooling: hand-checked PyTorch values.
    x = np.arange(1, 26, dtype=np.float64).reshape(1, 1, 5, 5)
    assert pool2d("max", x, (2, 2), (2, 2), (0, 0), True, True).shape == (1, 1, 3, 3)
    assert pool2d("max", x, (2, 2), (2, 2), (0, 0), True, False).shape == (1, 1, 2, 2)
    a = pool2d("avg", x, (3, 3), (2, 2), (1, 1), True, False)
    assert np.isclose(a[0, 0, 0, 0], (1 + 2 + 6 + 7) / 9)
    a = pool2d("avg", x, (3, 3), (2, 2), (1, 1), False, False)
    assert np.isclose(a[0, 0, 0, 0], (1 + 2 + 6 + 7) / 4)
    a = pool2d("avg", x, (2, 2), (2, 2), (0, 0), True, True)
    assert a.shape == (1, 1, 3, 3) and np.isclose(a[0, 0, 2, 2], 25.0)
    print("oracle self-test passed")


def main():
    if _IMPORT_ERROR is not None:
        emit({"error": f"NumPy is not installed for {sys.executable} ({_IMPORT_ERROR}); run scripts/setup.sh"})
        return 1
    if "--selftest" in sys.argv:
        _selftest()
        return 0
    emit({"ready": True, "numpy": np.__version__, "python": sys.version.split()[0]})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
            inputs = [decode(spec) for spec in request.get("inputs", [])]
            outputs = run(request["op"], inputs, request.get("attrs") or {})
            response = {"outputs": [encode(o) for o in outputs]}
        except Exception as error:  # reported to the client, which throws it
            response = {"error": f"{type(error).__name__}: {error}"}
        emit(response)
    return 0


if __name__ == "__main__":
    sys.exit(main())
