#!/usr/bin/env python3
"""Captum oracle for LeptonExplain's Integrated Gradients test.

Usage: ``python3 captum_oracle.py FOLDER``. FOLDER holds

* ``request.json``: ``{"layers": [...], "target": int, "steps": int, "method": "gausslegendre" |
  "riemann_trapezoid"}``, each layer one of
  ``{"type": "conv2d", "kernel": NAME, "bias": NAME|null, "stride": [sh, sw], "activation": A}``
  (valid padding), ``{"type": "maxpool2d", "size": k}``, ``{"type": "flatten"}``,
  ``{"type": "dense", "kernel": NAME, "bias": NAME|null, "activation": A}``,
  ``{"type": "affine", "scale": s, "offset": o}``, with A one of
  ``linear``, ``relu``, ``tanh``, ``sigmoid``, ``softmax``;
* ``tensors.safetensors``: the named weights in Lepton's layouts (Conv2D kernels
  ``[filters, C, KH, KW]`` as PyTorch's; Dense kernels ``[in, out]``, the transpose of
  ``nn.Linear.weight``), the input ``input`` ``[1, H, W, C]`` (NHWC) and ``baseline``.

The script builds the same network in PyTorch (``lepton_net``: it takes NHWC and permutes to
NCHW around the convolutions, so Flatten sees Lepton's NHWC order), runs ``captum.attr.IntegratedGradients``
with the same baseline, steps and method in float64, and writes ``attributions.safetensors``
(``attributions`` ``[1, H, W, C]``) and ``result.json`` (``{"delta": ..., "captum": version}``).
"""

import json
import os
import sys

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

import captum
from captum.attr import IntegratedGradients

class Activation(torch.nn.Module):
    """A Lepton activation by name."""

    FUNCTIONS = {
        "linear": lambda x: x,
        "relu": torch.relu,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "softmax": lambda x: torch.softmax(x, dim=-1),
    }

    def __init__(self, name):
        super().__init__()
        self.function = self.FUNCTIONS[name]

    def forward(self, x):
        return self.function(x)


class Permute(torch.nn.Module):
    def __init__(self, *axes):
        super().__init__()
        self.axes = axes

    def forward(self, x):
        return x.permute(*self.axes)


class Affine(torch.nn.Module):
    """``x · scale + offset`` (Lepton's Rescaling, and Normalization with one feature)."""

    def __init__(self, scale, offset):
        super().__init__()
        self.scale, self.offset = scale, offset

    def forward(self, x):
        return x * self.scale + self.offset


def lepton_net(layers, tensors):
    """The Lepton Sequential described by ``layers`` as a ``torch.nn.Sequential`` in float64 on
    NHWC inputs: convolutions and pooling run in NCHW between two permutations, so Flatten sees
    Lepton's NHWC order. Returns the network and the activation module of each conv layer (for
    Grad-CAM)."""
    weights = {name: torch.from_numpy(np.asarray(value, dtype=np.float64)) for name, value in tensors.items()}
    modules, conv_outputs, nchw = [], [], False

    def layout(want_nchw):
        nonlocal nchw
        if want_nchw != nchw:
            modules.append(Permute(0, 3, 1, 2) if want_nchw else Permute(0, 2, 3, 1))
            nchw = want_nchw

    for layer in layers:
        kind = layer["type"]
        if kind == "affine":
            modules.append(Affine(layer["scale"], layer["offset"]))
        elif kind == "conv2d":
            layout(True)
            kernel = weights[layer["kernel"]]
            conv = torch.nn.Conv2d(kernel.shape[1], kernel.shape[0], tuple(kernel.shape[2:]),
                                   stride=tuple(layer.get("stride", [1, 1])), bias=layer.get("bias") is not None).double()
            conv.weight.data = kernel.clone()
            if layer.get("bias") is not None:
                conv.bias.data = weights[layer["bias"]].clone()
            activation = Activation(layer.get("activation", "linear"))
            modules += [conv, activation]
            conv_outputs.append(activation)
        elif kind == "maxpool2d":
            layout(True)
            modules.append(torch.nn.MaxPool2d(layer["size"], layer["size"]))
        elif kind == "flatten":
            layout(False)
            modules.append(torch.nn.Flatten())
        elif kind == "dense":
            kernel = weights[layer["kernel"]]
            linear = torch.nn.Linear(kernel.shape[0], kernel.shape[1], bias=layer.get("bias") is not None).double()
            linear.weight.data = kernel.t().contiguous()
            if layer.get("bias") is not None:
                linear.bias.data = weights[layer["bias"]].clone()
            modules += [linear, Activation(layer.get("activation", "linear"))]
        else:
            raise ValueError(f"unknown layer type {kind!r}")
    for p in [p for m in modules for p in m.parameters()]:
        p.requires_grad_(False)
    return torch.nn.Sequential(*modules).eval(), conv_outputs


def main(folder):
    torch.set_num_threads(1)
    with open(os.path.join(folder, "request.json")) as f:
        request = json.load(f)
    tensors = load_file(os.path.join(folder, "tensors.safetensors"))
    x = torch.from_numpy(tensors.pop("input").astype(np.float64))
    baseline = torch.from_numpy(tensors.pop("baseline").astype(np.float64))
    model, _ = lepton_net(request["layers"], tensors)
    ig = IntegratedGradients(model)
    attributions, delta = ig.attribute(x, baselines=baseline, target=int(request["target"]),
                                       n_steps=int(request["steps"]), method=request["method"],
                                       return_convergence_delta=True)
    save_file({"attributions": attributions.detach().numpy().astype(np.float32)},
              os.path.join(folder, "attributions.safetensors"))
    with open(os.path.join(folder, "result.json"), "w") as f:
        json.dump({"delta": float(delta.abs().max()), "captum": captum.__version__}, f)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: captum_oracle.py FOLDER", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
