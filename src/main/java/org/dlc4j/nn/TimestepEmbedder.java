package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.dlc4j.util.Rng;

/** DiT's TimestepEmbedder: sinusoidal features of t, then Linear → SiLU → Linear. */
public final class TimestepEmbedder {
    private final Linear fc1;
    private final Linear fc2;
    private final int frequencyDim;

    /** DiT's initialisation: weights N(0, 0.02²), biases zero. */
    public TimestepEmbedder(Params p, String name, int hidden, int frequencyDim, Rng rng) {
        this(p, name, hidden, frequencyDim, Init.normal(0.02), rng);
    }

    public TimestepEmbedder(Params p, String name, int hidden, int frequencyDim, Init weightInit, Rng rng) {
        this.frequencyDim = frequencyDim;
        this.fc1 = new Linear(p, name + ".mlp.0", frequencyDim, hidden, true, weightInit, Init.zeros(), rng);
        this.fc2 = new Linear(p, name + ".mlp.2", hidden, hidden, true, weightInit, Init.zeros(), rng);
    }

    public NDArray forward(NDManager manager, double[] t) {
        return fc2.forward(Layers.silu(fc1.forward(Layers.timestepFeatures(manager, t, frequencyDim, 10000))));
    }
}
