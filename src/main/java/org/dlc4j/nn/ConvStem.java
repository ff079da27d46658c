package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.dlc4j.util.Rng;

/**
 * A convolutional patch embedding (Xiao et al. 2021, "Early convolutions help transformers see better"): a 3×3
 * convolution, then log2(p) stride-2 3×3 convolutions doubling the channels, the last one to the token width, so
 * one output pixel is one p×p patch. It replaces the single p×p projection where a ViT is trained from scratch on
 * little data, because it optimises faster and more stably; token layout matches {@link PatchEmbed}.
 */
public final class ConvStem {
    private final Conv2d[] convs;

    /** @param width channels of the first convolution (0 is not allowed; use {@link PatchEmbed} instead) */
    public ConvStem(Params p, String name, int channels, int dim, int patch, int width, Rng rng) {
        if (Integer.bitCount(patch) != 1 || patch < 2) {
            throw new IllegalArgumentException("a convolutional stem needs a power-of-two patch, not " + patch);
        }
        int downs = Integer.numberOfTrailingZeros(patch);
        convs = new Conv2d[downs + 1];
        convs[0] = new Conv2d(p, name + ".0", channels, width, 3, 1, 1, rng);
        int in = width;
        for (int i = 1; i <= downs; i++) {
            int out = i == downs ? dim : in * 2;
            convs[i] = new Conv2d(p, name + "." + i, in, out, 3, 2, 1, rng);
            in = out;
        }
    }

    /** x: [B, C, H, W] → [B, H·W/p², D], patches in row-major order. */
    public NDArray forward(NDArray x) {
        NDArray y = x;
        for (int i = 0; i < convs.length; i++) {
            y = convs[i].forward(y);
            if (i < convs.length - 1) {
                y = Activation.gelu(y);
            }
        }
        long b = y.getShape().get(0);
        long d = y.getShape().get(1);
        return y.reshape(b, d, -1).transpose(0, 2, 1);
    }
}
