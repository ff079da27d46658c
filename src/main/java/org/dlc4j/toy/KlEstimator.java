package org.dlc4j.toy;

import ai.djl.ndarray.NDManager;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;

/**
 * KL(p_data ‖ p_θ) ≈ mean over fresh data points x of [log p_data(x) − log p̂_θ(x)], with p̂_θ a Gaussian KDE
 * fitted to model samples. The KDE's own bias is measured as the "floor": the same estimate with true data
 * samples in place of model samples.
 */
public final class KlEstimator {
    private KlEstimator() {
    }

    /**
     * Bandwidth rule. {@code silverman} is the paper's; {@code cv} keeps Silverman's kernel shape (the sample
     * covariance) but picks the factor that maximises the likelihood of held-out data under a KDE of data
     * samples, which is the factor that minimises the floor; a number is a fixed isotropic bandwidth.
     */
    public record Bandwidth(Rule rule, double fixed) {
        /** How the kernel width is set. */
        public enum Rule { SILVERMAN, CV, FIXED }

        public static Bandwidth silverman() {
            return new Bandwidth(Rule.SILVERMAN, Double.NaN);
        }

        public static Bandwidth crossValidated() {
            return new Bandwidth(Rule.CV, Double.NaN);
        }

        public static Bandwidth fixed(double h) {
            return new Bandwidth(Rule.FIXED, h);
        }

        public static Bandwidth parse(String s) {
            if (s.equalsIgnoreCase("silverman")) {
                return silverman();
            }
            if (s.equalsIgnoreCase("cv")) {
                return crossValidated();
            }
            try {
                double h = Double.parseDouble(s);
                if (h > 0) {
                    return fixed(h);
                }
            } catch (NumberFormatException ignored) {
                // fall through to the message below
            }
            throw org.dlc4j.util.InvalidInputException.of("bandwidth", "bandwidth '" + s + "' is not silverman, cv or a positive number");
        }

        /**
         * The KDE fitter for samples of the same size as {@code reference}. For cv the factor is chosen here,
         * once, on data only, and then applied to every model alike.
         */
        public Function<float[], Kde> choose(NDManager manager, float[] reference, float[] selectionQueries) {
            return switch (rule) {
                case SILVERMAN -> Kde::silverman;
                case FIXED -> xy -> Kde.fixed(xy, fixed);
                case CV -> {
                    double factor = crossValidatedFactor(manager, reference, selectionQueries);
                    yield xy -> Kde.scaled(xy, factor);
                }
            };
        }

        @Override
        public String toString() {
            return rule == Rule.FIXED ? Double.toString(fixed) : rule.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Walks the factor down from Silverman's in steps of √2 while the held-out log-likelihood rises; the
     * likelihood is unimodal in the factor, so the walk stops at its peak.
     */
    static double crossValidatedFactor(NDManager manager, float[] reference, float[] queries) {
        double factor = Kde.silvermanFactor(reference.length / 2);
        double best = meanLog(Kde.scaled(reference, factor).logDensity(manager, queries));
        for (int k = 0; k < 16; k++) {
            double next = factor / Math.sqrt(2);
            double ll = meanLog(Kde.scaled(reference, next).logDensity(manager, queries));
            if (ll <= best) {
                break;
            }
            best = ll;
            factor = next;
        }
        return factor;
    }

    private static double meanLog(double[] logs) {
        double s = 0;
        for (double v : logs) {
            s += v;
        }
        return s / logs.length;
    }

    /** KL in nats; {@code logTrue} gives log p_data at a point. */
    public static double kl(NDManager manager, Kde model, float[] dataQueries, ToDoubleBiFunction<Double, Double> logTrue) {
        double[] logModel = model.logDensity(manager, dataQueries);
        double sum = 0;
        int m = logModel.length;
        for (int i = 0; i < m; i++) {
            sum += logTrue.applyAsDouble((double) dataQueries[2 * i], (double) dataQueries[2 * i + 1]) - logModel[i];
        }
        return sum / m;
    }
}
