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
     * GELU's tanh approximation, x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as x·σ(x·(a + b·x²)) with
     * a = 2√(2/π), b = 0.044715·a (the same function: 1 + tanh z = 2σ(2z)). libtorch's fused tanh GELU is out of DJL's
     * reach; this form takes six array operations instead of eight, on DiT's largest activations.
     */
    public static NDArray geluTanh(NDArray x) {
        double a = 2 * Math.sqrt(2 / Math.PI);
        NDArray z = x.mul(Scalar.times(x.square(), 0.044715 * a).add(a));
        return x.mul(Activation.sigmoid(z));
    }

    /**
     * Fixed 2-D sin-cos position embedding of a g×g grid (MAE's {@code get_2d_sincos_pos_embed}, as DiT): the first
     * half of the width encodes a token's column and the second half its row, each as
     * [sin | cos] of the position times ω_i = 10000^(−i/(D/4)).
     */
    public static float[] sinCos2d(int dim, int grid) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("a 2-D sin-cos embedding needs a width divisible by 4, not " + dim);
        }
        int quarter = dim / 4;
        float[] out = new float[grid * grid * dim];
        for (int h = 0; h < grid; h++) {
            for (int w = 0; w < grid; w++) {
                int row = (h * grid + w) * dim;
                for (int i = 0; i < quarter; i++) {
                    double omega = 1.0 / Math.pow(10000, i / (double) quarter);
                    // MAE meshgrids (w, h): the first half embeds the column index, the second the row index.
                    out[row + i] = (float) Math.sin(w * omega);
                    out[row + quarter + i] = (float) Math.cos(w * omega);
                    out[row + 2 * quarter + i] = (float) Math.sin(h * omega);
                    out[row + 3 * quarter + i] = (float) Math.cos(h * omega);
                }
            }
        }
        return out;
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
