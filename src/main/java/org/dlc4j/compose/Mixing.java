package org.dlc4j.compose;

import java.util.List;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * The three ways of Section 5.2 to make one new condition out of several sources. Each source s has a weight w_s
 * (normalised to sum to 1; equal weights by default).
 * <ul>
 *   <li>{@link #codes code mixing}, the paper's: position l of a new code is position l of source s, s drawn with
 *       probability w_s, independently per position and per new code;</li>
 *   <li>{@link #distributions distribution mixing}, the reference code's ({@code sample_comp_imgs.py}): the SEM
 *       distributions at temperature τ are averaged, p_l = Σ_s w_s p_{s,l}, and each position is drawn from p_l. As
 *       τ → 0 every p_{s,l} is one-hot and this is code mixing; at τ = 1 (the script's default) it also draws tokens
 *       no source has;</li>
 *   <li>{@link #vectors embedding averaging}, the continuous baseline: Σ_s w_s e_s of the SEM vectors.</li>
 * </ul>
 */
public final class Mixing {

    private Mixing() {}

    /** Weights scaled to sum to 1 (null: equal), after checking there are two sources or more and one weight for each. */
    public static double[] normalise(double[] weights, int sources) {
        if (sources < 2) {
            throw new InvalidInputException("a composition needs at least two sources, got " + sources + ": pass two or more images or codes");
        }
        if (weights == null) {
            double[] equal = new double[sources];
            java.util.Arrays.fill(equal, 1.0 / sources);
            return equal;
        }
        if (weights.length != sources) {
            throw new InvalidInputException(weights.length + " weights for " + sources + " sources: give one weight per source");
        }
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new InvalidInputException("weight " + w + " is not a finite number ≥ 0: weights are relative shares such as 0.7,0.3");
            }
            sum += w;
        }
        if (!(sum > 0)) {
            throw new InvalidInputException("the weights sum to 0: give at least one positive weight");
        }
        double[] out = new double[sources];
        for (int s = 0; s < sources; s++) {
            out[s] = weights[s] / sum;
        }
        return out;
    }

    /** n new codes [n·L] by code mixing (see the class comment). */
    public static int[] codes(List<Source> sources, double[] weights, int n, Rng rng) {
        double[] w = normalise(weights, sources.size());
        int length = Source.requireCompatible(sources).length();
        int[] out = new int[n * length];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < length; l++) {
                out[i * length + l] = sources.get(draw(w, 0, w.length, rng)).code()[l];
            }
        }
        return out;
    }

    /** n new codes [n·L] by distribution mixing of the sources' SEM distributions (see the class comment). */
    public static int[] distributions(List<Source> sources, double[] weights, int n, Rng rng) {
        double[] w = normalise(weights, sources.size());
        Source first = Source.requireCompatible(sources);
        int length = first.length();
        int vocab = first.vocab();
        double[] mixed = new double[length * vocab];
        for (int s = 0; s < sources.size(); s++) {
            float[] p = sources.get(s).probs();
            if (p == null) {
                throw new InvalidInputException(sources.get(s).name() + " carries no SEM distributions, which distribution mixing averages:"
                        + " give images, or codes stored with their SEM distributions");
            }
            for (int j = 0; j < mixed.length; j++) {
                mixed[j] += w[s] * p[j];
            }
        }
        int[] out = new int[n * length];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < length; l++) {
                out[i * length + l] = draw(mixed, l * vocab, vocab, rng);
            }
        }
        return out;
    }

    /** The weighted mean Σ_s w_s e_s of the sources' continuous SEM vectors. */
    public static float[] vectors(List<Source> sources, double[] weights) {
        double[] w = normalise(weights, sources.size());
        float[] out = null;
        for (int s = 0; s < sources.size(); s++) {
            float[] e = sources.get(s).sem();
            if (e == null) {
                throw new InvalidInputException(sources.get(s).name() + " is a code without its image: embedding averaging needs images");
            }
            if (out == null) {
                out = new float[e.length];
            } else if (e.length != out.length) {
                throw new InvalidInputException("SEM vectors of length " + out.length + " and " + e.length + ": encode every source with one encoder");
            }
            for (int j = 0; j < e.length; j++) {
                out[j] += (float) (w[s] * e[j]);
            }
        }
        return out;
    }

    /** An index in [0, size) drawn with probability p[from + k] / Σ p over the slice (the slice sums to 1 up to rounding). */
    static int draw(double[] p, int from, int size, Rng rng) {
        double total = 0;
        for (int k = 0; k < size; k++) {
            total += p[from + k];
        }
        double u = rng.nextDouble() * total;
        int last = 0;
        for (int k = 0; k < size; k++) {
            if (p[from + k] > 0) {
                last = k;
                u -= p[from + k];
                if (u < 0) {
                    return k;
                }
            }
        }
        return last; // rounding left u ≥ 0 after the last entry: that entry
    }
}
