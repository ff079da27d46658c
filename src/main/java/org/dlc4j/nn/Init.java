package org.dlc4j.nn;

import org.dlc4j.util.Rng;

/** How a parameter starts. Values are drawn from the project's {@link Rng} so a seed fixes every weight. */
@FunctionalInterface
public interface Init {
    float[] sample(long[] shape, Rng rng);

    static Init zeros() {
        return (shape, rng) -> new float[numel(shape)];
    }

    static Init constant(float value) {
        return (shape, rng) -> {
            float[] a = new float[numel(shape)];
            java.util.Arrays.fill(a, value);
            return a;
        };
    }

    static Init normal(double std) {
        return (shape, rng) -> {
            float[] a = rng.gaussians(numel(shape));
            for (int i = 0; i < a.length; i++) {
                a[i] *= (float) std;
            }
            return a;
        };
    }

    static Init uniform(double bound) {
        return (shape, rng) -> {
            float[] a = new float[numel(shape)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
            }
            return a;
        };
    }

    /** Glorot/Xavier uniform for a PyTorch-layout weight [out, in, ...]: what DiT uses for its linears. */
    static Init xavierUniform() {
        return (shape, rng) -> {
            long receptive = 1;
            for (int i = 2; i < shape.length; i++) {
                receptive *= shape[i];
            }
            double fanOut = shape[0] * receptive;
            double fanIn = (shape.length > 1 ? shape[1] : 1) * receptive;
            return uniform(Math.sqrt(6.0 / (fanIn + fanOut))).sample(shape, rng);
        };
    }

    /**
     * Xavier uniform over a conv weight [out, in, k, k] viewed as a Linear [out, in·k²]: what DiT and MAE do to
     * their patch embedding ({@code nn.init.xavier_uniform_(w.view(w.shape[0], -1))}).
     */
    static Init xavierUniformFlat() {
        return (shape, rng) -> {
            long fanIn = 1;
            for (int i = 1; i < shape.length; i++) {
                fanIn *= shape[i];
            }
            return uniform(Math.sqrt(6.0 / (fanIn + shape[0]))).sample(shape, rng);
        };
    }

    /** Truncated normal N(0, σ²) cut at ±2σ, the ViT initialisation of position embeddings and tokens. */
    static Init truncatedNormal(double std) {
        return (shape, rng) -> {
            float[] a = new float[numel(shape)];
            for (int i = 0; i < a.length; i++) {
                double v;
                do {
                    v = rng.nextGaussian();
                } while (Math.abs(v) > 2);
                a[i] = (float) (v * std);
            }
            return a;
        };
    }

    /** PyTorch's default for nn.Linear: U(−1/√fan_in, 1/√fan_in) for weight and bias alike. */
    static Init torchDefault(long fanIn) {
        return uniform(1.0 / Math.sqrt(fanIn));
    }

    /**
     * PyTorch's default for a weight [out, in, ...] read from its shape: kaiming_uniform with a = √5, i.e.
     * U(−1/√fan_in, 1/√fan_in) with fan_in = in·receptive field. SEDD keeps it for its linears and embeddings.
     */
    static Init torchDefault() {
        return (shape, rng) -> {
            long fanIn = 1;
            for (int i = 1; i < shape.length; i++) {
                fanIn *= shape[i];
            }
            return torchDefault(fanIn).sample(shape, rng);
        };
    }

    static int numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }
}
