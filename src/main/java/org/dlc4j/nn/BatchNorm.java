package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import org.dlc4j.util.Rng;

/**
 * BatchNorm over axis 1 (PyTorch's {@code BatchNorm1d} on [B, C] and {@code BatchNorm2d} on [B, C, H, W]): affine
 * {@code weight}/{@code bias} (ones and zeros) trained, {@code running_mean}/{@code running_var} kept as buffers.
 * Training normalises with the batch's statistics and moves the running ones by {@code momentum} (PyTorch's
 * convention: new = (1 − m)·old + m·batch); inference normalises with the running ones, so a code does not depend on
 * which other images share its batch.
 */
public final class BatchNorm {
    /** PyTorch's defaults. */
    public static final double MOMENTUM = 0.1;
    public static final double EPS = 1e-5;

    private final NDArray weight;
    private final NDArray bias;
    private final NDArray runningMean;
    private final NDArray runningVar;

    public BatchNorm(Params p, String name, int channels, Rng rng) {
        this(p, name, channels, 1f, rng);
    }

    /** @param gamma initial scale (0 on a residual branch's last norm lets each block start as the identity) */
    public BatchNorm(Params p, String name, int channels, float gamma, Rng rng) {
        weight = p.add(name + ".weight", new long[] {channels}, Init.constant(gamma), rng);
        bias = p.add(name + ".bias", new long[] {channels}, Init.zeros(), rng);
        runningMean = p.buffer(name + ".running_mean", new long[] {channels}, 0f);
        runningVar = p.buffer(name + ".running_var", new long[] {channels}, 1f);
    }

    /** @param training batch statistics (and a running-statistics update by {@link #MOMENTUM}) or the running ones */
    public NDArray forward(NDArray x, boolean training) {
        return forward(x, training, MOMENTUM);
    }

    /** As {@link #forward(NDArray, boolean)} with the running statistics moved by {@code momentum} (1/k averages k batches). */
    public NDArray forward(NDArray x, boolean training, double momentum) {
        // DJL takes MXNet's momentum (the share kept) and hands libtorch 1 − it.
        return ai.djl.nn.norm.BatchNorm.batchNorm(x, runningMean, runningVar, weight, bias, 1, (float) (1 - momentum), (float) EPS, training)
                .singletonOrThrow();
    }
}
