package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.util.Rng;

/** LayerNorm over the last dimension, affine (PyTorch's {@code weight}/{@code bias}: ones and zeros) or not. */
public final class LayerNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final int dim;
    private final float eps;

    public LayerNorm(Params p, String name, int dim, boolean affine, double eps, Rng rng) {
        this.dim = dim;
        this.eps = (float) eps;
        this.weight = affine ? p.add(name + ".weight", new long[] {dim}, Init.constant(1), rng) : null;
        this.bias = affine ? p.add(name + ".bias", new long[] {dim}, Init.zeros(), rng) : null;
    }

    /** Affine with PyTorch's default ε = 1e-5. */
    public LayerNorm(Params p, String name, int dim, Rng rng) {
        this(p, name, dim, true, 1e-5, rng);
    }

    public NDArray forward(NDArray x) {
        if (weight != null) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), weight, bias, eps).singletonOrThrow();
        }
        // Without affine parameters (DiT's adaLN norms), normalise by hand: DJL's op wants gamma and beta.
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centred = x.sub(mean);
        NDArray var = centred.square().mean(new int[] {-1}, true);
        return centred.div(var.add(eps).sqrt());
    }
}
