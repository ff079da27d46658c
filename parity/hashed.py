"""Seeded weights both sides compute, so the goldens of the released sizes need not carry them.

The released configurations have hundreds of millions of weights (the SEM head of L 512, V 256 on ViT-L alone holds
805M); committing them is out of the question, so each tensor is a pure function of its name, its size, a scale and an
offset, and dlc4j's tests (org.dlc4j.parity.HashedWeights) recompute the same float32 values:

    seed   = the first 8 bytes of SHA-256(name), little-endian
    z_i    = SplitMix64 output i of a stream started at seed (state seed + (i + 1)·0x9E3779B97F4A7C15, then mixed)
    u_i    = (z_i >> 40) · 2⁻²⁴                       (24 bits: exact in float32 and float64)
    w_i    = float32(offset + scale · (2·u_i − 1))    (evaluated in float64, in this order, then rounded once)

so w is uniform on [offset − scale, offset + scale), standard deviation scale/√3. Flat index i runs over the tensor in
row-major (C) order.
"""
import hashlib

import numpy as np

GAMMA = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)


def stream_seed(name):
    return np.uint64(int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little"))


def uniforms(name, start, count):
    """u_i for i in [start, start + count), float64."""
    i = np.arange(start + 1, start + count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = stream_seed(name) + i * GAMMA
        z = (z ^ (z >> np.uint64(30))) * M1
        z = (z ^ (z >> np.uint64(27))) * M2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) * 2.0 ** -24


def values(name, shape, scale, offset=0.0, chunk=1 << 24):
    """The float32 tensor of that name and shape."""
    n = int(np.prod(shape, dtype=np.int64))
    out = np.empty(n, dtype=np.float32)
    for s in range(0, n, chunk):
        c = min(chunk, n - s)
        out[s:s + c] = (offset + scale * (2.0 * uniforms(name, s, c) - 1.0)).astype(np.float32)
    return out.reshape(shape)


if __name__ == "__main__":
    # The cross-check HashedWeightsTest pins: a few values of two streams.
    print(values("blocks.0.attn.qkv.weight", (2, 3), 0.05).tolist())
    print(values("x", (4,), 1.0, 1.0).tolist())
