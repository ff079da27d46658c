package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import org.dlc4j.util.Rng;

/** Image → patch tokens: a p×p convolution with stride p ({@code proj}), flattened to [B, (H/p)·(W/p), D]. */
public final class PatchEmbed {
    private final Conv2d proj;
    private final int patch;

    public PatchEmbed(Params p, String name, int channels, int dim, int patch, Rng rng) {
        this.patch = patch;
        // As timm/DiT: the conv weight is initialised like a Linear over the flattened patch (Xavier).
        proj = new Conv2d(p, name + ".proj", channels, dim, patch, patch, 0, Init.xavierUniformFlat(), Init.zeros(), rng);
    }

    public int patch() {
        return patch;
    }

    /** x: [B, C, H, W] → [B, H·W/p², D], patches in row-major order. */
    public NDArray forward(NDArray x) {
        NDArray y = proj.forward(x); // [B, D, H/p, W/p]
        long b = y.getShape().get(0);
        long d = y.getShape().get(1);
        return y.reshape(b, d, -1).transpose(0, 2, 1);
    }
}
