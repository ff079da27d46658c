package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.util.Rng;

/**
 * LayerNorm over the last dimension: affine (PyTorch's {@code weight}/{@code bias}: ones and zeros), without
 * parameters (DiT's adaLN norms), or with a learned scale only (SEDD's DDiT norms).
 */
public final class LayerNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final int dim;
    private final float eps;

    private LayerNorm(Params p, String name, int dim, boolean scale, boolean shift, double eps, Rng rng) {
        this.dim = dim;
        this.eps = (float) eps;
        this.weight = scale ? p.add(name + ".weight", new long[] {dim}, Init.constant(1), rng) : null;
        this.bias = shift ? p.add(name + ".bias", new long[] {dim}, Init.zeros(), rng) : null;
    }

    public LayerNorm(Params p, String name, int dim, boolean affine, double eps, Rng rng) {
        this(p, name, dim, affine, affine, eps, rng);
    }

    /** Affine with PyTorch's default ε = 1e-5. */
    public LayerNorm(Params p, String name, int dim, Rng rng) {
        this(p, name, dim, true, 1e-5, rng);
    }

    /** A learned per-channel scale and no shift. */
    public static LayerNorm scaleOnly(Params p, String name, int dim, double eps, Rng rng) {
        return new LayerNorm(p, name, dim, true, false, eps, rng);
    }

    public NDArray forward(NDArray x) {
        if (bias != null) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), weight, bias, eps).singletonOrThrow();
        }
        // Without a shift, normalise by hand: DJL's op wants both gamma and beta.
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centred = x.sub(mean);
        NDArray var = centred.square().mean(new int[] {-1}, true);
        NDArray normed = centred.div(var.add(eps).sqrt());
        return weight == null ? normed : normed.mul(weight);
    }
}
