"""PyTorch references for Lepton's losses (Sources/LeptonNN/Losses).

One op, ``loss``: ``attrs["name"]`` picks the loss, ``attrs["reduction"]`` is PyTorch's
("mean", "sum", "none"); other attrs are the loss's parameters. Computed in float64.
Lepton's per-sample losses over the last axis (categorical, KL, embedding losses) are
compared with PyTorch's per-sample values for reduction "none".
"""
import numpy as np
import torch
import torch.nn.functional as F

EPS = 1e-7  # Keras's probability clipping (lepton.probabilityEpsilon)


def _t(a):
    a = np.ascontiguousarray(a)
    if a.dtype == np.int32:
        return torch.from_numpy(a).long()
    return torch.from_numpy(a).to(torch.float64)


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _loss(inputs, attrs):
    name = attrs["name"]
    reduction = attrs.get("reduction", "mean")
    x = [_t(a) for a in inputs]
    if name == "mse":
        y = F.mse_loss(x[0], x[1], reduction=reduction)
    elif name == "l1":
        y = F.l1_loss(x[0], x[1], reduction=reduction)
    elif name == "huber":
        y = F.huber_loss(x[0], x[1], reduction=reduction, delta=attrs.get("delta", 1.0))
    elif name == "bce":
        y = F.binary_cross_entropy(x[0], x[1], reduction=reduction)
    elif name == "bce_logits":
        y = F.binary_cross_entropy_with_logits(x[0], x[1], reduction=reduction)
    elif name == "cross_entropy":
        # logits [N, C]; target: class indices (int) or probabilities [N, C].
        y = F.cross_entropy(x[0], x[1], reduction=reduction, label_smoothing=attrs.get("label_smoothing", 0.0))
    elif name == "categorical_probabilities":
        # Keras categorical_crossentropy on probabilities: normalise, clip, −Σ t·log p.
        p, t = x[0], x[1]
        if t.dtype == torch.long:
            t = F.one_hot(t, p.shape[-1]).to(torch.float64)
        ls = attrs.get("label_smoothing", 0.0)
        t = t * (1 - ls) + ls / p.shape[-1]
        p = (p / p.sum(-1, keepdim=True)).clamp(EPS, 1 - EPS)
        y = _reduce(-(t * p.log()).sum(-1), reduction)
    elif name == "kl_div":
        # prediction q, target p (probabilities); PyTorch takes log q. Lepton's "mean" is
        # the mean over samples of the per-sample sums: PyTorch's "batchmean".
        q, p = x[0], x[1]
        per_element = F.kl_div(q.log(), p, reduction="none")
        per_sample = per_element.sum(-1)
        if reduction == "mean":
            y = F.kl_div(q.log(), p, reduction="batchmean") if q.dim() == 2 else per_sample.mean()
        else:
            y = _reduce(per_sample, reduction)
    elif name == "cosine_embedding":
        y = F.cosine_embedding_loss(x[0], x[1], x[2], margin=attrs.get("margin", 0.0), reduction=reduction)
    elif name == "triplet":
        y = F.triplet_margin_loss(x[0], x[1], x[2], margin=attrs.get("margin", 1.0), p=2,
                                  eps=attrs.get("eps", 1e-6), reduction=reduction)
    elif name == "contrastive":
        # Hadsell et al.: y·d² + (1 − y)·max(0, margin − d)² (no torch.nn equivalent).
        a, b, labels = x
        d = F.pairwise_distance(a, b, p=2, eps=0.0)
        m = attrs.get("margin", 1.0)
        y = _reduce(labels * d.square() + (1 - labels) * (m - d).clamp(min=0).square(), reduction)
    elif name == "cosine_similarity":
        y = F.cosine_similarity(x[0], x[1], dim=-1)
    else:
        raise ValueError(f"unknown loss {name}")
    return [y.detach().to(torch.float32).numpy()]


OPS = {"loss": _loss}
