"""Quantisation-aware training peer: PyTorch eager PTQ and QAT from the same fp32 weights Lepton trained.

For a Lepton model folder (any stack of Normalization, Conv2D, BatchNormalization, Activation,
MaxPooling2D, Flatten and Dense layers), rebuilds the network in PyTorch with Lepton's weights
(channels-last Flatten matched by a permute; Keras BN momentum 0.99 = PyTorch's 0.01) and reports,
on the 10,000 MNIST test images:
- fp32: the rebuilt float network;
- ptq: eager post-training static quantisation (x86 engine, `get_default_qconfig("x86")`, conv+bn+relu,
  conv+relu and linear+relu fused), calibrated on the first CALIBRATION training images;
- fp32 fine-tuned: the float network fine-tuned exactly as QAT is, without quantisation (what the
  extra epochs alone give);
- qat: eager quantisation-aware training (`get_default_qat_qconfig("x86")`, `fuse_modules_qat`,
  `prepare_qat`; fake-quant with STE, moving-average observers, ConvBn folding simulated) fine-tuned
  for EPOCHS epochs on the 60,000 training images (Adam, batch 32, the given learning rate), then
  `convert`ed to int8 (with --freeze-after K, `disable_observer` and `freeze_bn_stats` after K epochs).

    python3 python/qat_bench.py --model out/qat-bench/mnist-cnn --epochs 1 --learning-rate 1e-4

Prints one JSON line per model.
"""
import argparse
import copy
import json
import os
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")   # torch.ao.quantization's deprecation notices

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compress_bench import load_mnist, mnist_dir, read_idx  # noqa: E402


def build(folder):
    """The Lepton model in `folder` as a PyTorch module with its weights, and its fusable groups."""
    import torch
    from safetensors.numpy import load_file
    spec = json.load(open(os.path.join(folder, "model.json")))
    weights = load_file(os.path.join(folder, "model.safetensors"))
    tensor = lambda i, n: torch.from_numpy(np.array(weights[f"layers.{i}.{n}"]))
    mods, kinds, channels, size = [], [], 1, 28
    mean = std = None
    for i, layer in enumerate(spec["layers"]):
        kind, cfg = layer["type"], layer.get("config", layer)
        if kind == "Normalization":
            mean = tensor(i, "mean").reshape(1, 1, 1, -1)
            std = torch.clamp(tensor(i, "variance").sqrt(), min=1e-7).reshape(1, 1, 1, -1)
            continue
        if kind == "Conv2D":
            kernel = tensor(i, "kernel")
            m = torch.nn.Conv2d(kernel.shape[1], kernel.shape[0], tuple(kernel.shape[2:]), bias=cfg.get("use_bias", True))
            with torch.no_grad():
                m.weight.copy_(kernel)
                if m.bias is not None:
                    m.bias.copy_(tensor(i, "bias"))
            mods.append(m); kinds.append("conv")
            channels, size = kernel.shape[0], size - kernel.shape[2] + 1
            if cfg.get("activation", "linear") == "relu":
                mods.append(torch.nn.ReLU()); kinds.append("relu")
        elif kind == "BatchNormalization":
            m = torch.nn.BatchNorm2d(channels, eps=cfg.get("epsilon", 1e-3), momentum=1 - cfg.get("momentum", 0.99))
            with torch.no_grad():
                m.weight.copy_(tensor(i, "gamma")); m.bias.copy_(tensor(i, "beta"))
                m.running_mean.copy_(tensor(i, "runningMean")); m.running_var.copy_(tensor(i, "runningVariance"))
            mods.append(m); kinds.append("bn")
        elif kind == "Activation" and cfg["activation"] == "relu":
            mods.append(torch.nn.ReLU()); kinds.append("relu")
        elif kind == "MaxPooling2D":
            mods.append(torch.nn.MaxPool2d(2)); kinds.append("pool")
            size //= 2
        elif kind == "Flatten":
            mods.append(torch.nn.Flatten()); kinds.append("flatten")
        elif kind == "Dense":
            kernel = tensor(i, "kernel")
            m = torch.nn.Linear(kernel.shape[0], kernel.shape[1])
            with torch.no_grad():
                m.weight.copy_(kernel.T); m.bias.copy_(tensor(i, "bias"))
            mods.append(m); kinds.append("linear")
            if cfg.get("activation", "linear") == "relu":
                mods.append(torch.nn.ReLU()); kinds.append("relu")
        else:
            sys.exit(f"qat_bench.py: no PyTorch peer for layer {kind}")

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = torch.ao.quantization.QuantStub()
            self.body = torch.nn.Sequential(*mods)
            self.dequant = torch.ao.quantization.DeQuantStub()
            self.register_buffer("mean", mean)
            self.register_buffer("std", std)

        def forward(self, x):  # x: [N, 28, 28, 1] pixels 0-255; returns logits
            x = self.quant(((x - self.mean) / self.std).permute(0, 3, 1, 2))
            for kind, m in zip(kinds, self.body):
                if kind == "flatten":   # Lepton flattens channels-last maps
                    x = m(x.permute(0, 2, 3, 1).contiguous())
                else:
                    x = m(x)
            return self.dequant(x)

    groups, i = [], 0
    while i < len(kinds):
        for pattern in (["conv", "bn", "relu"], ["conv", "bn"], ["conv", "relu"], ["linear", "relu"]):
            if kinds[i:i + len(pattern)] == pattern:
                groups.append([f"body.{j}" for j in range(i, i + len(pattern))])
                i += len(pattern) - 1
                break
        i += 1
    return Net().eval(), groups


def accuracy(net, test, labels):
    import torch
    with torch.no_grad():
        out = np.concatenate([net(torch.from_numpy(test[i:i + 500])).numpy() for i in range(0, len(test), 500)])
    return float((out.argmax(axis=1) == labels).mean())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--calibration", type=int, default=320)
    parser.add_argument("--freeze-after", type=int, default=None,
                        help="QAT: disable the observers and freeze the BN statistics after this many epochs")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    import torch
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.backends.quantized.engine = "x86"
    train, test, labels = load_mnist()
    train_labels = read_idx(os.path.join(mnist_dir(), "train-labels-idx1-ubyte.gz")).astype(np.int64)
    name = os.path.basename(os.path.normpath(args.model))
    net, groups = build(args.model)
    report = lambda kind, acc, **extra: print(json.dumps({"model": name, "engine": "pytorch " + torch.__version__, "kind": kind,
                                                          "accuracy": round(acc, 4), **extra}), flush=True)
    report("fp32", accuracy(net, test, labels))

    ptq = copy.deepcopy(net)
    ptq.qconfig = torch.ao.quantization.get_default_qconfig("x86")
    torch.ao.quantization.fuse_modules(ptq, groups, inplace=True)
    torch.ao.quantization.prepare(ptq, inplace=True)
    with torch.no_grad():
        for i in range(0, args.calibration, 32):
            ptq(torch.from_numpy(train[i:i + 32]))
    torch.ao.quantization.convert(ptq, inplace=True)
    report("ptq", accuracy(ptq, test, labels), calibration=args.calibration)

    def fine_tune(model, freeze=False):
        optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate, eps=1e-7)
        start = time.perf_counter()
        for epoch in range(args.epochs):
            if freeze and args.freeze_after is not None and epoch == args.freeze_after:
                model.apply(torch.ao.quantization.disable_observer)
                model.apply(torch.ao.nn.intrinsic.qat.freeze_bn_stats)
            order = torch.randperm(len(train))
            for i in range(0, len(train), 32):
                index = order[i:i + 32].numpy()
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(torch.from_numpy(train[index])), torch.from_numpy(train_labels[index])).backward()
                optimizer.step()
        return time.perf_counter() - start

    # What the extra epochs alone give: the float model fine-tuned the same way, without quantisation.
    tuned = copy.deepcopy(net).train()
    seconds = fine_tune(tuned)
    report("fp32 fine-tuned", accuracy(tuned.eval(), test, labels), epochs=args.epochs, learning_rate=args.learning_rate,
           train_seconds=round(seconds, 1))

    qat = copy.deepcopy(net).train()
    qat.qconfig = torch.ao.quantization.get_default_qat_qconfig("x86")
    torch.ao.quantization.fuse_modules_qat(qat, groups, inplace=True)
    torch.ao.quantization.prepare_qat(qat, inplace=True)
    seconds = fine_tune(qat, freeze=True)
    qat.eval()
    fake = accuracy(qat, test, labels)
    int8 = torch.ao.quantization.convert(qat, inplace=False)
    report("qat", accuracy(int8, test, labels), fake_quantized=round(fake, 4), epochs=args.epochs,
           learning_rate=args.learning_rate, freeze_after=args.freeze_after, train_seconds=round(seconds, 1))


if __name__ == "__main__":
    main()
