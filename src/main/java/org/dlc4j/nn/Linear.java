package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import org.dlc4j.util.Rng;

/** y = x Wᵀ + b with PyTorch's weight layout [out, in]. */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;

    public Linear(Params p, String name, int in, int out, boolean bias, Init weightInit, Init biasInit, Rng rng) {
        this.weight = p.add(name + ".weight", new long[] {out, in}, weightInit, rng);
        this.bias = bias ? p.add(name + ".bias", new long[] {out}, biasInit, rng) : null;
    }

    /** PyTorch's default initialisation. */
    public Linear(Params p, String name, int in, int out, Rng rng) {
        this(p, name, in, out, true, Init.torchDefault(in), Init.torchDefault(in), rng);
    }

    public NDArray forward(NDArray x) {
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
