"""Recurrent layers for the PyTorch oracle: torch.nn.RNN / LSTM / GRU with batch_first=True.

Lepton stores Keras-layout weights: kernel [input, gates*units], recurrent kernel
[units, gates*units], bias [gates*units] (and the GRU's recurrent bias). PyTorch stores the
transposes, and the GRU's gate blocks are ordered (r, z, n) instead of Keras's (z, r, n).
Padded batches are run through pack_padded_sequence, so each sequence is processed over its
own length only (and reversed within it for the backward direction of a bidirectional layer).
"""
import numpy as np
import torch

_GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def _to_torch_order(w, cell, units):
    """Reorders the gate blocks of the first axis from Keras's order to PyTorch's."""
    if cell == "gru":
        z, r, n = w[:units], w[units:2 * units], w[2 * units:]
        return torch.cat([r, z, n], 0)
    return w


def _recurrent(inputs, attrs):
    """inputs: x [B,T,I], lengths int32 [B], then per direction: kernel, recurrent_kernel, bias,
    recurrent_bias, h0 [B,U], c0 [B,U]. attrs: cell, bidirectional.
    Returns: the padded output [B,T,D*U] (zeros at padding), final h and final c [D,B,U]."""
    cell = attrs["cell"]
    bidirectional = bool(attrs.get("bidirectional", False))
    directions = 2 if bidirectional else 1
    x, lengths = _t(inputs[0]), _t(inputs[1]).long()
    per = inputs[2:]
    assert len(per) == 6 * directions, f"expected {6 * directions} weight/state inputs, got {len(per)}"
    batch, time, features = x.shape
    units = per[1].shape[0]
    kwargs = dict(input_size=features, hidden_size=units, batch_first=True, bidirectional=bidirectional)
    if cell.startswith("rnn"):
        module = torch.nn.RNN(nonlinearity=cell[4:], **kwargs)
    elif cell == "lstm":
        module = torch.nn.LSTM(**kwargs)
    else:
        module = torch.nn.GRU(**kwargs)
    h0s, c0s = [], []
    with torch.no_grad():
        for d in range(directions):
            kernel, rec, bias, rec_bias, h0, c0 = (_t(a) for a in per[6 * d:6 * d + 6])
            suffix = "_l0" + ("_reverse" if d == 1 else "")
            getattr(module, "weight_ih" + suffix).copy_(_to_torch_order(kernel.T, cell, units))
            getattr(module, "weight_hh" + suffix).copy_(_to_torch_order(rec.T, cell, units))
            getattr(module, "bias_ih" + suffix).copy_(_to_torch_order(bias, cell, units))
            getattr(module, "bias_hh" + suffix).copy_(_to_torch_order(rec_bias, cell, units))
            h0s.append(h0)
            c0s.append(c0)
        h0, c0 = torch.stack(h0s), torch.stack(c0s)
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        if cell == "lstm":
            out, (h, c) = module(packed, (h0, c0))
        else:
            out, h = module(packed, h0)
            c = h
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=time)
    return [out.numpy(), h.numpy(), c.numpy()]


OPS = {"recurrent": _recurrent}
