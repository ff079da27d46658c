package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.dlc4j.util.Rng;

/**
 * The transformer block with adaLN-Zero shared by DiT and SEDD's DDiT: the conditioning vector c regresses a shift, a
 * scale and a gate for each of the two sub-layers, x + g₁·Attn(modulate(LN(x), β₁, γ₁)) then
 * x + g₂·MLP(modulate(LN(x), β₂, γ₂)). The regression is zero-initialised, so every gate starts at 0 and the block
 * starts as the identity. The two models differ only in the details a {@link Spec} names.
 */
public final class AdaLnBlock {
    /**
     * @param condDim   width of c (DiT: the model width; DDiT: its smaller cond_dim)
     * @param normScale LayerNorms with a learned scale (DDiT) instead of none (DiT)
     * @param normEps   LayerNorm ε (DiT 1e-6, DDiT PyTorch's 1e-5)
     * @param bias      biases on the attention projections (DiT yes, DDiT no)
     * @param init      initialisation of the attention and MLP weights (DiT xavier, DDiT PyTorch's default)
     * @param rotary    rotary positions on q and k (DDiT), or null
     * @param dropout   dropout on each residual branch before its gate (DDiT 0.1)
     */
    public record Spec(int condDim, boolean normScale, double normEps, boolean bias, Init init, Rotary rotary, double dropout) {
        /** DiT's block: c as wide as the tokens. */
        public static Spec dit(int dim) {
            return new Spec(dim, false, 1e-6, true, Init.xavierUniform(), null, 0);
        }
    }

    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final Linear modulation;
    private final double dropout;

    public AdaLnBlock(Params p, String name, int dim, int heads, double mlpRatio, Rng rng) {
        this(p, name, dim, heads, mlpRatio, Spec.dit(dim), rng);
    }

    public AdaLnBlock(Params p, String name, int dim, int heads, double mlpRatio, Spec s, Rng rng) {
        norm1 = norm(p, name + ".norm1", dim, s, rng);
        attn = new Attention(p, name + ".attn", dim, heads, s.bias(), s.init(), s.rotary(), rng);
        norm2 = norm(p, name + ".norm2", dim, s, rng);
        mlp = new Mlp(p, name + ".mlp", dim, (int) Math.round(dim * mlpRatio), s.init(), true, rng);
        modulation = new Linear(p, name + ".adaLN_modulation.1", s.condDim(), 6 * dim, true, Init.zeros(), Init.zeros(), rng);
        dropout = s.dropout();
    }

    private static LayerNorm norm(Params p, String name, int dim, Spec s, Rng rng) {
        return s.normScale() ? LayerNorm.scaleOnly(p, name, dim, s.normEps(), rng) : new LayerNorm(p, name, dim, false, s.normEps(), rng);
    }

    /** x: [B, T, D], c: [B, condDim] → [B, T, D]. */
    public NDArray forward(NDArray x, NDArray c) {
        return forward(x, c, null);
    }

    /** As {@link #forward(NDArray, NDArray)}, with the residual dropout drawn from {@code dropoutRng} (null: evaluation). */
    public NDArray forward(NDArray x, NDArray c, Rng dropoutRng) {
        NDList m = modulation.forward(Layers.silu(c)).split(6, 1);
        NDArray a = Dropout.apply(attn.forward(modulate(norm1.forward(x), m.get(0), m.get(1))), dropout, dropoutRng);
        x = x.add(m.get(2).expandDims(1).mul(a));
        NDArray f = Dropout.apply(mlp.forward(modulate(norm2.forward(x), m.get(3), m.get(4))), dropout, dropoutRng);
        return x.add(m.get(5).expandDims(1).mul(f));
    }

    /** x·(1 + scale) + shift, with [B, D] shift and scale broadcast over the tokens of x [B, T, D]. */
    public static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
        return x.mul(scale.expandDims(1).add(1f)).add(shift.expandDims(1));
    }
}
