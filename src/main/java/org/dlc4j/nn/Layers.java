package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/** Stateless activation functions and small tensor helpers shared by every model. */
public final class Layers {
    private Layers() {
    }

    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /**
     * Sinusoidal embedding of (possibly fractional) timesteps, DiT's layout: [cos | sin] with
     * frequencies exp(−ln(maxPeriod)·i/half).
     */
    public static NDArray timestepFeatures(NDManager manager, double[] t, int dim, double maxPeriod) {
        int half = dim / 2;
        float[] out = new float[t.length * dim];
        for (int b = 0; b < t.length; b++) {
            for (int i = 0; i < half; i++) {
                double arg = t[b] * Math.exp(-Math.log(maxPeriod) * i / half);
                out[b * dim + i] = (float) Math.cos(arg);
                out[b * dim + half + i] = (float) Math.sin(arg);
            }
        }
        return manager.create(out, new Shape(t.length, dim));
    }

    /** Integer tensor of class / token ids, as the embedding lookups want it. */
    public static NDArray ids(NDManager manager, int[] ids) {
        return manager.create(ids, new Shape(ids.length));
    }
}
