package org.dlc4j.toy;

import ai.djl.ndarray.NDManager;

/**
 * KL(p_data ‖ p_θ) ≈ mean over fresh data points x of [log p_data(x) − log p̂_θ(x)], with p̂_θ a Gaussian KDE
 * fitted to model samples. The KDE's own bias is measured as the "floor": the same estimate with true data
 * samples in place of model samples.
 */
public final class KlEstimator {
    private KlEstimator() {
    }

    /** Bandwidth rule: Silverman's (the paper's) or a fixed isotropic value. */
    public record Bandwidth(double fixed) {
        public static Bandwidth fixed(double h) {
            return new Bandwidth(h);
        }

        public static Bandwidth silverman() {
            return new Bandwidth(Double.NaN);
        }

        public boolean isSilverman() {
            return Double.isNaN(fixed);
        }

        public Kde fit(float[] xy) {
            return isSilverman() ? Kde.silverman(xy) : Kde.fixed(xy, fixed);
        }

        public static Bandwidth parse(String s) {
            if (s.equalsIgnoreCase("silverman")) {
                return silverman();
            }
            try {
                double h = Double.parseDouble(s);
                if (h > 0) {
                    return new Bandwidth(h);
                }
            } catch (NumberFormatException ignored) {
                // fall through to the message below
            }
            throw new org.dlc4j.util.UserException("--bandwidth '" + s + "' is neither 'silverman' nor a positive number");
        }

        @Override
        public String toString() {
            return isSilverman() ? "silverman" : Double.toString(fixed);
        }
    }

    /** KL in nats; {@code logTrue} gives log p_data at a point. */
    public static double kl(NDManager manager, float[] modelSamples, float[] dataQueries, java.util.function.ToDoubleBiFunction<Double, Double> logTrue, Bandwidth bw) {
        double[] logModel = bw.fit(modelSamples).logDensity(manager, dataQueries);
        double sum = 0;
        int m = logModel.length;
        for (int i = 0; i < m; i++) {
            sum += logTrue.applyAsDouble((double) dataQueries[2 * i], (double) dataQueries[2 * i + 1]) - logModel[i];
        }
        return sum / m;
    }
}
