"""PyTorch references for Lepton's attention layers (MultiHeadAttention, TransformerEncoderLayer,
position encodings).

Lepton stores projection kernels as [in, out] (Keras/Dense layout), so they are transposed into
PyTorch's Linear weights here. Lepton's masks use 1 = attend, 0 = masked; PyTorch's boolean masks
use True = masked, so they are inverted here.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def _no_fastpath():
    # The fused inference path of nn.MultiheadAttention / TransformerEncoderLayer is a different
    # kernel; compare against the reference (math) path.
    backends = getattr(torch.backends, "mha", None)
    if backends is not None and hasattr(backends, "set_fastpath_enabled"):
        backends.set_fastpath_enabled(False)


def _load_mha(mha, wq, bq, wk, bk, wv, bv, wo, bo):
    with torch.no_grad():
        if mha._qkv_same_embed_dim:
            mha.in_proj_weight.copy_(torch.cat([wq.T, wk.T, wv.T], 0))
        else:
            mha.q_proj_weight.copy_(wq.T)
            mha.k_proj_weight.copy_(wk.T)
            mha.v_proj_weight.copy_(wv.T)
        mha.in_proj_bias.copy_(torch.cat([bq, bk, bv]))
        mha.out_proj.weight.copy_(wo.T)
        mha.out_proj.bias.copy_(bo)


def _attn_mask(keep, batch, heads, tq, tk, causal):
    """Lepton's keep-mask (or None) and causal flag as PyTorch's boolean attn_mask (True = masked)."""
    full = torch.ones(batch, heads, tq, tk, dtype=torch.bool)
    if keep is not None:
        k = keep != 0
        if k.dim() == 3:
            k = k.unsqueeze(1)
        full = full & k
    if causal:
        full = full & torch.ones(tq, tk, dtype=torch.bool).tril()
    if keep is None and not causal:
        return None
    return (~full).reshape(batch * heads, tq, tk)


def _mha(inputs, attrs):
    """inputs: query, key, value, Wq, bq, Wk, bk, Wv, bv, Wo, bo[, attention mask][, key padding mask];
    attrs: heads, attention_mask (bool), key_padding_mask (bool), causal (bool), self (bool).
    Returns the output and the per-head weights [batch, heads, tq, tk]."""
    _no_fastpath()
    t = [_t(a) for a in inputs]
    q, k, v, wq, bq, wk, bk, wv, bv, wo, bo = t[:11]
    rest = t[11:]
    keep = rest.pop(0) if attrs.get("attention_mask") else None
    padding = rest.pop(0) if attrs.get("key_padding_mask") else None
    heads = attrs["heads"]
    embed = wq.shape[1]
    mha = torch.nn.MultiheadAttention(embed, heads, bias=True, batch_first=True, kdim=k.shape[-1], vdim=v.shape[-1])
    _load_mha(mha, wq, bq, wk, bk, wv, bv, wo, bo)
    mha.eval()
    if attrs.get("self"):
        k = v = q
    mask = _attn_mask(keep, q.shape[0], heads, q.shape[1], k.shape[1], attrs.get("causal", False))
    with torch.no_grad():
        out, weights = mha(q, k, v, key_padding_mask=None if padding is None else padding == 0,
                           need_weights=True, attn_mask=mask, average_attn_weights=False)
    return [out.numpy(), weights.numpy()]


def _sdpa(inputs, attrs):
    """inputs: query, key, value[, keep mask]; attrs: causal, scale (or null). Output and weights
    computed explicitly (softmax(q kᵀ · scale) v)."""
    q, k, v = (_t(a).double() for a in inputs[:3])
    scale = attrs.get("scale") or 1 / math.sqrt(q.shape[-1])
    scores = q @ k.transpose(-1, -2) * scale
    keep = torch.ones(scores.shape[-2:], dtype=torch.bool)
    if len(inputs) > 3:
        keep = keep & (_t(inputs[3]) != 0)
    if attrs.get("causal"):
        keep = keep & torch.ones(scores.shape[-2:], dtype=torch.bool).tril()
    scores = scores.masked_fill(~keep, float("-inf"))
    weights = torch.softmax(scores, -1).nan_to_num(0.0)   # fully masked rows → 0
    return [(weights @ v).float().numpy(), weights.float().numpy()]


def _attention_core(inputs, attrs):
    """The fused multi-head attention op (Tensor.attention), in float64: inputs query
    [b, tq, h*dk], key [b, tk, h*dk], value [b, tk, h*dv], output gradient [b, tq, h*dv]
    [, keep mask broadcastable to [b, h, tq, tk], non-zero = attend]; attrs: heads, scale.
    Returns the output [b, tq, h*dv] and the gradients of query, key and value for that output
    gradient (a query with no key kept has zero weights)."""
    q, k, v, gy = (_t(a).double() for a in inputs[:4])
    heads = attrs["heads"]
    b, tq, tk = q.shape[0], q.shape[1], k.shape[1]
    q.requires_grad_(True)
    k.requires_grad_(True)
    v.requires_grad_(True)

    def split(x, t):
        return x.reshape(b, t, heads, -1).transpose(1, 2)   # [b, h, t, d]

    scores = split(q, tq) @ split(k, tk).transpose(-1, -2) * attrs["scale"]
    weights = torch.softmax(scores, -1)
    if len(inputs) > 4:
        # A large negative score (not -inf, whose fully masked rows give NaN gradients), then
        # zero weights where masked: fully masked rows become zero with zero gradients.
        keep = (_t(inputs[4]) != 0).expand(b, heads, tq, tk)
        weights = torch.softmax(scores.masked_fill(~keep, -1e30), -1) * keep
    out = (weights @ split(v, tk)).transpose(1, 2).reshape(b, tq, -1)
    out.backward(gy)
    return [out.detach().float().numpy(), q.grad.float().numpy(), k.grad.float().numpy(), v.grad.float().numpy()]


def _encoder_layer(inputs, attrs):
    """inputs: x, Wq, bq, Wk, bk, Wv, bv, Wo, bo, W1, b1, W2, b2, gamma1, beta1, gamma2, beta2
    [, key padding mask (1 = token)]; attrs: heads, feed_forward, activation ("relu"/"gelu"),
    norm_first, eps, causal, key_padding_mask. Dropout 0, eval mode."""
    _no_fastpath()
    t = [_t(a) for a in inputs]
    x = t[0]
    wq, bq, wk, bk, wv, bv, wo, bo, w1, b1, w2, b2, g1, be1, g2, be2 = t[1:17]
    padding = t[17] if attrs.get("key_padding_mask") else None
    d = x.shape[-1]
    layer = torch.nn.TransformerEncoderLayer(d, attrs["heads"], dim_feedforward=attrs["feed_forward"], dropout=0.0,
                                             activation=attrs.get("activation", "relu"),
                                             layer_norm_eps=attrs.get("eps", 1e-5), batch_first=True,
                                             norm_first=attrs.get("norm_first", False))
    _load_mha(layer.self_attn, wq, bq, wk, bk, wv, bv, wo, bo)
    with torch.no_grad():
        layer.linear1.weight.copy_(w1.T)
        layer.linear1.bias.copy_(b1)
        layer.linear2.weight.copy_(w2.T)
        layer.linear2.bias.copy_(b2)
        layer.norm1.weight.copy_(g1)
        layer.norm1.bias.copy_(be1)
        layer.norm2.weight.copy_(g2)
        layer.norm2.bias.copy_(be2)
    layer.eval()
    seq = x.shape[1]
    mask = torch.ones(seq, seq, dtype=torch.bool).triu(1) if attrs.get("causal") else None
    with torch.no_grad():
        y = layer(x, src_mask=mask, src_key_padding_mask=None if padding is None else padding == 0,
                  is_causal=bool(attrs.get("causal")))
    return [y.numpy()]


def _sine_position_encoding(inputs, attrs):
    """attrs: length, dimensions, max_wavelength. Keras-NLP's SinePositionEncoding formula."""
    length, dims = attrs["length"], attrs["dimensions"]
    wavelength = attrs.get("max_wavelength", 10000.0)
    positions = np.arange(length, dtype=np.float64)[:, None]
    i = np.arange(dims)
    timescales = np.power(wavelength, -(2 * (i // 2)) / dims)
    angles = positions * timescales[None, :]
    encoding = np.where(i % 2 == 0, np.sin(angles), np.cos(angles))
    return [encoding.astype(np.float32)]


def _token_and_position_embedding(inputs, attrs):
    """inputs: ids int32 [batch, seq], token table [vocab, d], position table [maxlen, d]."""
    ids, tokens, positions = inputs
    emb = torch.nn.Embedding.from_pretrained(_t(tokens))
    out = emb(_t(ids).long()) + _t(positions)[: ids.shape[-1]]
    return [out.numpy()]


OPS = {
    "multihead_attention": _mha,
    "scaled_dot_product_attention": _sdpa,
    "attention_core": _attention_core,
    "transformer_encoder_layer": _encoder_layer,
    "sine_position_encoding": _sine_position_encoding,
    "token_and_position_embedding": _token_and_position_embedding,
}
