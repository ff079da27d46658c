package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.dlc4j.util.Rng;

/**
 * DiT's block with adaLN-Zero: the conditioning vector c regresses a shift, a scale and a gate for each of the two
 * sub-layers, x + g₁·Attn(modulate(LN(x), β₁, γ₁)) then x + g₂·MLP(modulate(LN(x), β₂, γ₂)). The regression is
 * zero-initialised, so every gate starts at 0 and the block starts as the identity.
 */
public final class AdaLnBlock {
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final Linear modulation;

    public AdaLnBlock(Params p, String name, int dim, int heads, double mlpRatio, Rng rng) {
        norm1 = new LayerNorm(p, name + ".norm1", dim, false, 1e-6, rng);
        attn = new Attention(p, name + ".attn", dim, heads, Init.xavierUniform(), rng);
        norm2 = new LayerNorm(p, name + ".norm2", dim, false, 1e-6, rng);
        mlp = new Mlp(p, name + ".mlp", dim, (int) Math.round(dim * mlpRatio), Init.xavierUniform(), true, rng);
        modulation = new Linear(p, name + ".adaLN_modulation.1", dim, 6 * dim, true, Init.zeros(), Init.zeros(), rng);
    }

    /** x: [B, T, D], c: [B, D] → [B, T, D]. */
    public NDArray forward(NDArray x, NDArray c) {
        NDList m = modulation.forward(Layers.silu(c)).split(6, 1);
        NDArray a = attn.forward(modulate(norm1.forward(x), m.get(0), m.get(1)));
        x = x.add(m.get(2).expandDims(1).mul(a));
        NDArray f = mlp.forward(modulate(norm2.forward(x), m.get(3), m.get(4)));
        return x.add(m.get(5).expandDims(1).mul(f));
    }

    /** x·(1 + scale) + shift, with [B, D] shift and scale broadcast over the tokens of x [B, T, D]. */
    public static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
        return x.mul(scale.expandDims(1).add(1f)).add(shift.expandDims(1));
    }
}
