package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.dlc4j.util.Rng;

/** The transformer feed-forward: Linear → GELU → Linear, timm's {@code Mlp} ({@code fc1}, {@code fc2}). */
public final class Mlp {
    private final Linear fc1;
    private final Linear fc2;

    private final boolean tanhGelu;

    public Mlp(Params p, String name, int dim, int hidden, Init weightInit, Rng rng) {
        this(p, name, dim, hidden, weightInit, false, rng);
    }

    /** @param tanhGelu GELU's tanh approximation, as DiT ({@code approximate="tanh"}) */
    public Mlp(Params p, String name, int dim, int hidden, Init weightInit, boolean tanhGelu, Rng rng) {
        this.tanhGelu = tanhGelu;
        fc1 = new Linear(p, name + ".fc1", dim, hidden, true, weightInit, Init.zeros(), rng);
        fc2 = new Linear(p, name + ".fc2", hidden, dim, true, weightInit, Init.zeros(), rng);
    }

    public NDArray forward(NDArray x) {
        NDArray h = fc1.forward(x);
        return fc2.forward(tanhGelu ? Layers.geluTanh(h) : Activation.gelu(h));
    }
}
