#!/usr/bin/env python3
"""Captum's side of scripts/bench_explain.sh: the same five methods on the same Lepton model
folder (model.json + model.safetensors, rebuilt in PyTorch by captum_oracle.lepton_net, in
float32 here) and the same digits (digitN.npy), timed per image at ``--threads`` threads.

Layers understood: Normalization (one feature), Rescaling, Conv2D (valid padding), MaxPooling2D,
Flatten, Dense.
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import torch
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from captum_oracle import lepton_net  # noqa: E402

from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, NoiseTunnel, Occlusion, Saliency  # noqa: E402


def layers_of(folder):
    """The oracle's layer list for a Lepton model folder, and its tensors."""
    spec = json.load(open(os.path.join(folder, "model.json")))
    tensors = load_file(os.path.join(folder, "model.safetensors"))
    layers = []
    for i, layer in enumerate(spec["layers"]):
        kind, prefix = layer["type"], f"layers.{i}."
        if kind == "Normalization":
            mean, variance = float(tensors[prefix + "mean"].reshape(-1)[0]), float(tensors[prefix + "variance"].reshape(-1)[0])
            scale = 1 / max(variance ** 0.5, 1e-7)
            layers.append({"type": "affine", "scale": scale, "offset": -mean * scale})
        elif kind == "Rescaling":
            layers.append({"type": "affine", "scale": layer.get("scale", 1), "offset": layer.get("offset", 0)})
        elif kind == "Conv2D":
            assert layer.get("padding", "valid") == "valid" and layer.get("data_format", "channelsLast") == "channelsLast"
            layers.append({"type": "conv2d", "kernel": prefix + "kernel", "bias": prefix + "bias" if layer.get("use_bias", True) else None,
                           "stride": layer.get("strides", [1, 1]), "activation": layer.get("activation", "linear")})
        elif kind == "MaxPooling2D":
            layers.append({"type": "maxpool2d", "size": layer["pool_size"][0]})
        elif kind == "Flatten":
            layers.append({"type": "flatten"})
        elif kind == "Dense":
            layers.append({"type": "dense", "kernel": prefix + "kernel", "bias": prefix + "bias" if layer.get("use_bias", True) else None,
                           "activation": layer.get("activation", "linear")})
        else:
            raise SystemExit(f"captum_bench.py: layer type {kind} is not supported")
    return layers, tensors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--samples", type=int, default=25)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")
    layers, tensors = layers_of(args.model)
    model, conv_outputs = lepton_net(layers, tensors)
    model = model.float()
    digits = [torch.from_numpy(np.load(os.path.join(args.images, f"digit{i}.npy"))).unsqueeze(0) for i in range(args.count)]

    def target_of(x):
        with torch.no_grad():
            return int(model(x).argmax(dim=1))

    def smoothgrad(x, t):
        sigma = 0.15 * float(x.max() - x.min())
        return NoiseTunnel(Saliency(model)).attribute(x, nt_type="smoothgrad", nt_samples=args.samples, stdevs=sigma,
                                                      nt_samples_batch_size=32, target=t)

    def gradcam(x, t):
        cam = LayerGradCam(model, conv_outputs[-1]).attribute(x, target=t, relu_attributions=True)
        return LayerAttribution.interpolate(cam, tuple(x.shape[1:3]), interpolate_mode="bilinear")

    methods = {
        "saliency": lambda x, t: Saliency(model).attribute(x, target=t),
        "smoothgrad": smoothgrad,
        "integrated-gradients": lambda x, t: IntegratedGradients(model).attribute(x, target=t, n_steps=args.steps,
                                                                                  method="gausslegendre"),
        "gradcam": gradcam,
        "occlusion": lambda x, t: Occlusion(model).attribute(x, sliding_window_shapes=(4, 4, 1), strides=(2, 2, 1),
                                                            baselines=0, target=t, perturbations_per_eval=32),
    }
    print(f"Captum {__import__('captum').__version__} (PyTorch {torch.__version__}, {args.threads} thread(s)): ms per image")
    for name, method in methods.items():
        method(digits[0], target_of(digits[0]))   # warm-up, not timed
        total = 0.0
        for x in digits:
            start = time.perf_counter()
            method(x, target_of(x))   # the prediction is part of the method's time, as in lepton explain
            total += time.perf_counter() - start
        print(f"  {name:<22} {1000 * total / len(digits):8.2f} ms")


if __name__ == "__main__":
    main()
