package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import org.dlc4j.util.Rng;

/**
 * A pre-norm transformer block, x + γ₁·Attn(LN(x)) then x + γ₂·MLP(LN(x)), with DINOv2's LayerScale γ
 * ({@code ls1.gamma}, {@code ls2.gamma}, initialised to a small constant) when {@code layerScale > 0}.
 */
public final class TransformerBlock {
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final NDArray gamma1;
    private final NDArray gamma2;

    public TransformerBlock(Params p, String name, int dim, int heads, double mlpRatio, double layerScale, Rng rng) {
        norm1 = new LayerNorm(p, name + ".norm1", dim, true, 1e-6, rng);
        attn = new Attention(p, name + ".attn", dim, heads, Init.xavierUniform(), rng);
        norm2 = new LayerNorm(p, name + ".norm2", dim, true, 1e-6, rng);
        mlp = new Mlp(p, name + ".mlp", dim, (int) Math.round(dim * mlpRatio), Init.xavierUniform(), rng);
        gamma1 = layerScale > 0 ? p.add(name + ".ls1.gamma", new long[] {dim}, Init.constant((float) layerScale), rng) : null;
        gamma2 = layerScale > 0 ? p.add(name + ".ls2.gamma", new long[] {dim}, Init.constant((float) layerScale), rng) : null;
    }

    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    /** With a key-padding bias for the attention (see {@link Attention#forward(NDArray, NDArray)}). */
    public NDArray forward(NDArray x, NDArray keyBias) {
        NDArray a = attn.forward(norm1.forward(x), keyBias);
        x = x.add(gamma1 == null ? a : a.mul(gamma1));
        NDArray m = mlp.forward(norm2.forward(x));
        return x.add(gamma2 == null ? m : m.mul(gamma2));
    }
}
