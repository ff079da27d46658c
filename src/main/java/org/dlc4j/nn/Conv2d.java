package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.util.Rng;

/** A 2-D convolution with PyTorch's weight layout [out, in, k, k], square kernel, equal stride and padding on both axes. */
public final class Conv2d {
    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;

    /** @param biasInit null for no bias */
    public Conv2d(Params p, String name, int in, int out, int kernel, int stride, int padding, Init weightInit, Init biasInit, Rng rng) {
        this.weight = p.add(name + ".weight", new long[] {out, in, kernel, kernel}, weightInit, rng);
        this.bias = biasInit == null ? null : p.add(name + ".bias", new long[] {out}, biasInit, rng);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    /** Without a bias (a BatchNorm follows), weight drawn from {@code weightInit}. */
    public static Conv2d noBias(Params p, String name, int in, int out, int kernel, int stride, int padding, Init weightInit, Rng rng) {
        return new Conv2d(p, name, in, out, kernel, stride, padding, weightInit, null, rng);
    }

    /** PyTorch's default initialisation: U(±1/√fan_in) for weight and bias, fan_in = in·k². */
    public Conv2d(Params p, String name, int in, int out, int kernel, int stride, int padding, Rng rng) {
        this(p, name, in, out, kernel, stride, padding, Init.torchDefault((long) in * kernel * kernel),
                Init.torchDefault((long) in * kernel * kernel), rng);
    }

    /** x: [B, in, H, W] → [B, out, H', W']. */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, stride, padding, new Shape(1, 1)).singletonOrThrow();
    }
}
