package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import org.dlc4j.util.Rng;

/**
 * Multi-head self-attention as timm writes it: one {@code qkv} projection, softmax(q·kᵀ/√d_head)·v per head, then
 * {@code proj}. Written with matmul and softmax because DJL has no fused attention. Optionally without biases and
 * with rotary positions on q and k (SEDD's DDiT).
 */
public final class Attention {
    private final Linear qkv;
    private final Linear proj;
    private final int heads;
    private final Rotary rotary;

    public Attention(Params p, String name, int dim, int heads, Init weightInit, Rng rng) {
        this(p, name, dim, heads, true, weightInit, null, rng);
    }

    /** @param rotary rotation applied to q and k of every head (null: none) */
    public Attention(Params p, String name, int dim, int heads, boolean bias, Init weightInit, Rotary rotary, Rng rng) {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " is not divisible by " + heads + " heads");
        }
        this.heads = heads;
        this.rotary = rotary;
        qkv = new Linear(p, name + ".qkv", dim, 3 * dim, bias, weightInit, Init.zeros(), rng);
        proj = new Linear(p, name + ".proj", dim, dim, bias, weightInit, Init.zeros(), rng);
    }

    /** x: [B, T, D] → [B, T, D]; every token attends to every token. */
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    /**
     * As {@link #forward(NDArray)}, with {@code keyBias} [B, 1, 1, T] added to the attention logits (null: none): 0 for
     * keys to attend to, a large negative number for padding, so that padded tokens change nothing.
     */
    public NDArray forward(NDArray x, NDArray keyBias) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long d = x.getShape().get(2);
        long hd = d / heads;
        NDArray qkvs = qkv.forward(x).reshape(b, t, 3, heads, hd).transpose(2, 0, 3, 1, 4); // [3, B, H, T, hd]
        NDArray q = qkvs.get(0);
        NDArray k = qkvs.get(1);
        NDArray v = qkvs.get(2);
        if (rotary != null) {
            q = rotary.apply(q);
            k = rotary.apply(k);
        }
        NDArray logits = Scalar.times(q, 1 / Math.sqrt(hd)).matMul(k.transpose(0, 1, 3, 2));
        NDArray attn = (keyBias == null ? logits : logits.add(keyBias)).softmax(-1);
        return proj.forward(attn.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, d));
    }
}
