"""PyTorch references for Lepton's image preprocessing layers (Sources/LeptonNN/Layers/Preprocessing).

Images are channels-last float32 ``[N, H, W, C]`` as Lepton's layers take them; they are
permuted to PyTorch's ``[N, C, H, W]`` and back. Computation is in float64.
"""
import numpy as np
import torch
import torch.nn.functional as F


def _resize(inputs, attrs):
    """inputs: images [N, H, W, C], upstream gradient [N, height, width, C]; attrs: height, width,
    interpolation ("bilinear": F.interpolate bilinear, align_corners=False, no antialiasing — half-pixel
    centres, clamped at the edges; "nearest": "nearest-exact", floor((y + 0.5) · in / out)).
    Returns the resized images and the gradient of Σ output · upstream with respect to the images."""
    x = torch.from_numpy(np.ascontiguousarray(inputs[0])).to(torch.float64).permute(0, 3, 1, 2).requires_grad_(True)
    upstream = torch.from_numpy(np.ascontiguousarray(inputs[1])).to(torch.float64)
    mode = "bilinear" if attrs["interpolation"] == "bilinear" else "nearest-exact"
    kwargs = {"align_corners": False, "antialias": False} if mode == "bilinear" else {}
    y = F.interpolate(x, size=(attrs["height"], attrs["width"]), mode=mode, **kwargs).permute(0, 2, 3, 1)
    (y * upstream).sum().backward()
    return [y.detach().to(torch.float32).numpy(), x.grad.permute(0, 2, 3, 1).to(torch.float32).numpy()]


OPS = {"resize": _resize}
