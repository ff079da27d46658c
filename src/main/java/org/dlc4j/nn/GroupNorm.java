package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.util.Rng;

/**
 * PyTorch's {@code nn.GroupNorm(groups, channels, eps, affine=True)} on [B, C, ...]: each image's channels are split
 * into {@code groups} consecutive groups, each normalised over its channels and positions, then scaled and shifted per
 * channel by {@code weight}/{@code bias} (ones and zeros).
 */
public final class GroupNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final int groups;
    private final float eps;

    public GroupNorm(Params p, String name, int channels, int groups, double eps, Rng rng) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = (float) eps;
        weight = p.add(name + ".weight", new long[] {channels}, Init.constant(1), rng);
        bias = p.add(name + ".bias", new long[] {channels}, Init.zeros(), rng);
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long b = shape.get(0);
        long c = shape.get(1);
        long perGroup = shape.size() / (b * groups);
        // DJL has no group norm: a group is a row of [B, G, C/G·positions] under libtorch's layer norm (one fused
        // pass, its own accurate moments) with unit gain and no shift, then the per-channel affine.
        NDArray rows = x.reshape(b, groups, perGroup);
        NDArray normed = ai.djl.nn.norm.LayerNorm.layerNorm(rows, new Shape(perGroup), x.getManager().ones(new Shape(perGroup)),
                x.getManager().zeros(new Shape(perGroup)), eps).singletonOrThrow().reshape(shape);
        long[] perChannel = new long[shape.dimension() - 1];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[0] = c;
        return normed.mul(weight.reshape(perChannel)).add(bias.reshape(perChannel));
    }
}
