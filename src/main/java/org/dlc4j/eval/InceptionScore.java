package org.dlc4j.eval;

import java.util.Arrays;
import java.util.Objects;
import org.dlc4j.util.InvalidInputException;

/**
 * Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs", §4):
 * exp(E_x KL(p(y|x) ‖ p(y))), computed per split with p(y) the split's marginal, then mean and
 * population std over splits, as in the authors' {@code inception_score.py} (splits of
 * {@code [i·n/splits, (i+1)·n/splits)}, {@code np.std}). The class probabilities here come from the
 * project's own classifier, so values are not comparable with published Inception Scores.
 *
 * <p>Plain Java doubles: the work is O(n·C) and needs no native arrays.
 */
public final class InceptionScore {
    public static final int DEFAULT_SPLITS = 10;
    /** Per-row tolerance on Σ_c p(c|x) = 1; float32 softmax outputs are off by ~1e-7·C at most. */
    private static final double SUM_TOLERANCE = 1e-3;

    /** Mean of the per-split scores and their population standard deviation. */
    public record Result(double mean, double std) {}

    private InceptionScore() {}

    public static Result compute(float[] probs, int numClasses) {
        return compute(probs, numClasses, DEFAULT_SPLITS);
    }

    /** Probabilities as a matrix with one row per image and one column per class. */
    public static Result compute(FeatureMatrix probs, int splits) {
        return compute(probs.data(), probs.dim(), splits);
    }

    /** As {@link #compute(float[], int, int)}, also checking that {@code probs} holds {@code n} rows. */
    public static Result compute(float[] probs, int n, int numClasses, int splits) {
        Objects.requireNonNull(probs, "probs");
        if ((long) n * numClasses != probs.length) {
            throw new IllegalArgumentException(probs.length + " probabilities are not " + n + " rows of " + numClasses + " classes");
        }
        return compute(probs, numClasses, splits);
    }

    /** {@code probs} is n × numClasses row-major, each row a probability vector (softmax outputs, not logits). */
    public static Result compute(float[] probs, int numClasses, int splits) {
        Objects.requireNonNull(probs, "probs");
        if (numClasses < 1 || probs.length % numClasses != 0) {
            throw new IllegalArgumentException(probs.length + " probabilities do not form rows of " + numClasses + " classes");
        }
        int n = probs.length / numClasses;
        if (splits < 1 || n < splits) {
            throw new InvalidInputException("IS: cannot split " + n + " images into " + splits
                    + " splits: evaluate at least as many images as splits, or lower the number of splits");
        }
        validate(probs, numClasses, n);
        double[] scores = new double[splits];
        double[] marginal = new double[numClasses];
        for (int s = 0; s < splits; s++) {
            int from = (int) ((long) s * n / splits);
            int to = (int) ((long) (s + 1) * n / splits);
            Arrays.fill(marginal, 0);
            for (int i = from; i < to; i++) {
                for (int c = 0; c < numClasses; c++) {
                    marginal[c] += probs[i * numClasses + c];
                }
            }
            for (int c = 0; c < numClasses; c++) {
                marginal[c] /= to - from;
            }
            double kl = 0;
            for (int i = from; i < to; i++) {
                for (int c = 0; c < numClasses; c++) {
                    double p = probs[i * numClasses + c];
                    // 0·log 0 = 0 (its limit); the marginal is positive wherever p is.
                    if (p > 0) {
                        kl += p * (Math.log(p) - Math.log(marginal[c]));
                    }
                }
            }
            scores[s] = Math.exp(kl / (to - from));
        }
        double mean = 0;
        for (double v : scores) {
            mean += v;
        }
        mean /= splits;
        double var = 0;
        for (double v : scores) {
            var += (v - mean) * (v - mean);
        }
        return new Result(mean, Math.sqrt(var / splits));
    }

    private static void validate(float[] probs, int numClasses, int n) {
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < numClasses; c++) {
                float p = probs[i * numClasses + c];
                if (!(p >= 0) || !Float.isFinite(p)) {
                    throw new InvalidInputException("IS: class probability " + c + " of image " + i + " is " + p
                            + ": pass softmax outputs of the classifier, not logits");
                }
                sum += p;
            }
            if (Math.abs(sum - 1) > SUM_TOLERANCE) {
                throw new InvalidInputException("IS: the class probabilities of image " + i + " sum to " + sum
                        + ", not 1: pass softmax outputs of the classifier, not logits");
            }
        }
    }
}
