package org.dlc4j.diffusion.discrete;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.DoubleSupplier;
import org.dlc4j.util.Rng;

/**
 * SEDD's absorbing graph over V + 1 states: the tokens 0..V−1 and the mask V. Forward, every token independently jumps to
 * the mask at rate σ(t); nothing ever leaves the mask. The model learns the concrete score s(x)_y = p_t(x with one
 * masked position set to y) / p_t(x), from which the reverse process unmasks. Everything here is the reference's
 * {@code graph_lib.Absorbing}, written per position.
 */
public record Absorbing(int vocab) {
    public Absorbing {
        if (vocab < 2) {
            throw new IllegalArgumentException("an absorbing graph needs at least 2 tokens, not " + vocab);
        }
    }

    /** The index of the mask state, V. */
    public int mask() {
        return vocab;
    }

    /** States per position, V + 1. */
    public int states() {
        return vocab + 1;
    }

    /** Forward corruption to total noise σ̄: each token becomes the mask independently with probability 1 − e^{−σ̄}. */
    public int[] corrupt(int[] tokens, double sigmaBar, Rng rng) {
        return corrupt(tokens, sigmaBar, rng::nextDouble);
    }

    /** As {@link #corrupt(int[], double, Rng)}, token i masked when the i-th uniform is below 1 − e^{−σ̄} (the parity test's seam). */
    public int[] corrupt(int[] tokens, double sigmaBar, DoubleSupplier uniforms) {
        double p = -Math.expm1(-sigmaBar);
        int[] out = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = uniforms.getAsDouble() < p ? vocab : tokens[i];
        }
        return out;
    }

    /**
     * Denoising score entropy of each position, the reference's {@code score_entropy}: at a masked position i of x_t whose
     * clean token is x₀ᵢ, with r = 1/(e^{σ̄} − 1),
     * <pre>  ℓᵢ = Σ_{y&lt;V} exp(s_{i,y}) − r·s_{i,x₀ᵢ} + r(log r − 1)</pre>
     * and 0 at unmasked positions. It is ≥ 0, and 0 exactly when the model's score is the true one, exp(s_{i,y}) = r·[y = x₀ᵢ].
     *
     * @param logScore [B, L, V+1] the model's log-score at x_t
     * @param noisy    x_t, B·L tokens
     * @param clean    x₀, B·L tokens
     * @param sigmaBar σ̄ of each of the B sequences
     * @return [B, L]
     */
    public NDArray scoreEntropy(NDArray logScore, int[] noisy, int[] clean, double[] sigmaBar) {
        NDManager m = logScore.getManager();
        int b = sigmaBar.length;
        int l = noisy.length / b;
        float[] masked = new float[noisy.length];
        float[] ratio = new float[noisy.length];
        float[] constant = new float[noisy.length];
        for (int s = 0; s < b; s++) {
            double r = 1 / expm1Stable(sigmaBar[s]);
            for (int i = s * l; i < (s + 1) * l; i++) {
                if (noisy[i] == vocab) {
                    masked[i] = 1;
                    ratio[i] = (float) r;
                    constant[i] = (float) (r * (Math.log(r) - 1));
                }
            }
        }
        Shape bl = new Shape(b, l);
        NDArray mask = m.create(masked, bl);
        // Zero the scores of unmasked positions before exp: they are not trained and could overflow.
        NDArray tokens = logScore.get(":, :, :" + vocab).mul(mask.expandDims(2));
        NDArray positive = tokens.exp().sum(new int[] {2}).mul(mask);
        NDArray atClean = logScore.mul(m.create(clean, bl).oneHot(vocab + 1)).sum(new int[] {2});
        NDArray negative = atClean.mul(m.create(ratio, bl));
        return positive.sub(negative).add(m.create(constant, bl));
    }

    /**
     * The reverse step of one position: a masked position moves to token y with weight f·s_y and stays masked with
     * weight 1 − f·Σ_y s_y; an unmasked one keeps its token with weight 1. The two predictors differ only in f:
     * <ul>
     *   <li>analytic (Tweedie τ-leaping, the reference's staggered_score ⊙ transp_transition) from σ̄ₜ to σ̄ₛ:
     *       f = e^{Δσ} − 1 with Δσ = σ̄ₜ − σ̄ₛ; with the true score this is exactly p(x₀ᵢ = y | x_t)·P(unmasked by s);</li>
     *   <li>Euler over dt (the reference's reverse_rate): f = dt·σ̄'(t).</li>
     * </ul>
     *
     * @param score exp of the log-score of this position, V + 1 entries from {@code offset} (the mask's own is not read)
     * @param out   receives the V + 1 unnormalised weights
     */
    public void reverseStep(float[] score, int offset, int token, double f, double[] out) {
        java.util.Arrays.fill(out, 0);
        if (token != vocab) {
            out[token] = 1;
            return;
        }
        double sum = 0;
        for (int y = 0; y < vocab; y++) {
            out[y] = f * score[offset + y];
            sum += out[y];
        }
        out[vocab] = 1 - sum;
    }

    /** e^x − 1 as the reference computes it: expm1 below 0.5, exp − 1 above. */
    public static double expm1Stable(double x) {
        return x < 0.5 ? Math.expm1(x) : Math.exp(x) - 1;
    }
}
