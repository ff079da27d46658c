"""Stand-in for flash_attn.flash_attn_interface.flash_attn_varlen_qkvpacked_func: ordinary softmax attention.

flash-attention computes exactly softmax(q·kᵀ·scale)·v per head within each sequence of the packed batch (sequence i
is rows cu_seqlens[i]:cu_seqlens[i+1]), with scale = head_dim^-1/2 by default; it only reorders the arithmetic for
speed. SEDD calls it with dropout 0 and causal=False, which is all this stand-in implements.
"""
import math

import torch


def flash_attn_varlen_qkvpacked_func(qkv, cu_seqlens, max_seqlen, dropout_p=0.0, softmax_scale=None, causal=False,
                                     **unused):
    """qkv [total, 3, heads, d] → [total, heads, d]."""
    if dropout_p != 0.0 or causal:
        raise NotImplementedError("flash_attn stand-in: only dropout 0, non-causal attention")
    scale = softmax_scale if softmax_scale is not None else 1.0 / math.sqrt(qkv.shape[-1])
    out = torch.empty_like(qkv[:, 0])
    bounds = cu_seqlens.tolist()
    for start, end in zip(bounds[:-1], bounds[1:]):
        q, k, v = qkv[start:end].unbind(1)  # each [len, heads, d]
        q, k, v = (a.transpose(0, 1) for a in (q, k, v))  # [heads, len, d]
        attn = torch.softmax(q @ k.transpose(-1, -2) * scale, dim=-1)
        out[start:end] = (attn @ v).transpose(0, 1)
    return out
