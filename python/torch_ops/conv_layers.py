"""PyTorch references for Lepton's Conv1D and Conv2DTranspose layers (channels-last inputs, as
Keras; weights in PyTorch's layouts)."""
import numpy as np
import torch
import torch.nn.functional as F


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def _conv1d(inputs, attrs):
    """inputs: x [N, steps, C], weight [F, C/groups, K], bias [F]; attrs: stride, padding
    ([left, right], applied with F.pad since TensorFlow's "same" may be asymmetric), dilation, groups."""
    x, w, b = (_t(a) for a in inputs)
    conv = torch.nn.Conv1d(x.shape[2], w.shape[0], w.shape[2], stride=attrs.get("stride", 1),
                           dilation=attrs.get("dilation", 1), groups=attrs.get("groups", 1))
    with torch.no_grad():
        conv.weight.copy_(w)
        conv.bias.copy_(b)
        left, right = attrs.get("padding", [0, 0])
        y = conv(F.pad(x.permute(0, 2, 1), (left, right)))
    return [y.permute(0, 2, 1).contiguous().numpy()]


def _conv_transpose2d(inputs, attrs):
    """inputs: x [N, H, W, C], weight [C, F/groups, KH, KW], bias [F]; attrs: stride, padding [ph, pw],
    output_padding, dilation, groups, crop ([top, left, height, width] of the result, or null)."""
    x, w, b = (_t(a) for a in inputs)
    groups = attrs.get("groups", 1)
    conv = torch.nn.ConvTranspose2d(x.shape[3], w.shape[1] * groups, tuple(w.shape[2:]),
                                    stride=tuple(attrs.get("stride", [1, 1])),
                                    padding=tuple(attrs.get("padding", [0, 0])),
                                    output_padding=tuple(attrs.get("output_padding", [0, 0])),
                                    groups=groups, dilation=tuple(attrs.get("dilation", [1, 1])))
    with torch.no_grad():
        conv.weight.copy_(w)
        conv.bias.copy_(b)
        y = conv(x.permute(0, 3, 1, 2))
    crop = attrs.get("crop")
    if crop:
        top, left, h, wd = crop
        y = y[:, :, top:top + h, left:left + wd]
    return [y.permute(0, 2, 3, 1).contiguous().numpy()]


OPS = {"conv1d_layer": _conv1d, "conv_transpose2d_layer": _conv_transpose2d}
