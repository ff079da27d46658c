package org.dlc4j.diffusion.discrete;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.util.Rng;

/**
 * LLaDA's masked-diffusion objective (the reference's {@code forward_process} and loss): for t ~ U(0, 1) each code token
 * is masked with probability p = (1 − ε)t + ε, and the cross-entropy of the clean token at the masked positions is
 * weighted by 1/p and averaged over the L positions. Its expectation over t bounds −log p(code | caption) / L.
 */
public final class MaskedDiffusion {
    /** The smallest masking rate (reference: eps 1e-3). */
    public static final double EPS = 1e-3;

    private MaskedDiffusion() {}

    public static double maskRate(double t) {
        return (1 - EPS) * t + EPS;
    }

    /**
     * Masks each token of code i (L tokens) with probability p[i], writing the result to {@code noisy} (mask = V), and
     * returns the loss weights [B·L]: 1/p[i] where masked, 0 elsewhere.
     */
    public static float[] corrupt(int[] clean, int length, int vocab, double[] p, int[] noisy, Rng rng) {
        float[] w = new float[clean.length];
        for (int j = 0; j < clean.length; j++) {
            double rate = p[j / length];
            if (rng.nextDouble() < rate) {
                noisy[j] = vocab;
                w[j] = (float) (1 / rate);
            } else {
                noisy[j] = clean[j];
            }
        }
        return w;
    }

    /** Σ_l w_l·CE_l / L per code [B], from logits [B, L, V], the clean tokens and the weights of {@link #corrupt}. */
    public static NDArray loss(NDManager m, NDArray logits, int[] clean, float[] weights, int length) {
        int b = clean.length / length;
        NDArray ce = logits.logSoftmax(-1).mul(m.create(clean, new Shape(b, length)).oneHot((int) logits.getShape().get(2))).sum(new int[] {2}).neg();
        return ce.mul(m.create(weights, new Shape(b, length))).sum(new int[] {1}).div(m.create((float) length));
    }
}
