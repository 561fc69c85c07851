"""Smoke op for the PyTorch oracle."""
import numpy as np
import torch


def _linear(inputs, attrs):
    x, w, b = (torch.from_numpy(np.ascontiguousarray(a)) for a in inputs)
    return [torch.nn.functional.linear(x, w, b).numpy()]


OPS = {"linear": _linear}
