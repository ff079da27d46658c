package org.dlc4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import org.dlc4j.data.BatchSampler;
import org.dlc4j.nn.AdamW;
import org.dlc4j.nn.Batches;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Trainer;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * The linear probe of the paper's Table 2: multinomial logistic regression on frozen representations, trained on
 * train and reported on test. The weight decay is chosen on a held-out slice of train (never on test), then the
 * probe is refitted on all of train. Continuous vectors are standardised with train statistics; token codes are
 * read one-hot (L·V inputs), so a code is probed exactly as the paper's DLC probe reads it.
 */
public final class LinearProbe {
    /** Inputs of a probe: continuous vectors or token codes. */
    public sealed interface Inputs permits Vectors, Tokens {
        int rows();

        int dim();

        /** Rows {@code idx} as probe inputs [B, dim]. */
        NDArray batch(NDManager m, int[] idx);
    }

    /** Continuous features, standardised per dimension with {@code mean} and {@code std} (from the training set). */
    public record Vectors(FeatureMatrix x, float[] mean, float[] std) implements Inputs {
        /** Standardisation taken from {@code x} itself: use for the training set. */
        public static Vectors standardised(FeatureMatrix x) {
            int d = x.dim();
            double[] sum = new double[d];
            double[] sq = new double[d];
            for (int i = 0; i < x.rows(); i++) {
                for (int j = 0; j < d; j++) {
                    double v = x.data()[i * d + j];
                    sum[j] += v;
                    sq[j] += v * v;
                }
            }
            float[] mean = new float[d];
            float[] std = new float[d];
            for (int j = 0; j < d; j++) {
                double m = sum[j] / x.rows();
                mean[j] = (float) m;
                std[j] = (float) Math.max(Math.sqrt(Math.max(sq[j] / x.rows() - m * m, 0)), 1e-6);
            }
            return new Vectors(x, mean, std);
        }

        /** The same standardisation applied to another set (the test set). */
        public Vectors like(FeatureMatrix other) {
            if (other.dim() != x.dim()) {
                throw new InvalidInputException("probe test vectors have " + other.dim() + " dimensions but train has " + x.dim() + ": use the same representation for both");
            }
            return new Vectors(other, mean, std);
        }

        @Override
        public int rows() {
            return x.rows();
        }

        @Override
        public int dim() {
            return x.dim();
        }

        @Override
        public NDArray batch(NDManager m, int[] idx) {
            int d = x.dim();
            float[] out = new float[idx.length * d];
            for (int b = 0; b < idx.length; b++) {
                for (int j = 0; j < d; j++) {
                    out[b * d + j] = (x.data()[idx[b] * d + j] - mean[j]) / std[j];
                }
            }
            return m.create(out, new Shape(idx.length, d));
        }
    }

    /** Token codes [rows, length] over a vocabulary of {@code vocab}, read one-hot. */
    public record Tokens(int[] tokens, int length, int vocab) implements Inputs {
        public Tokens {
            if (length < 1 || tokens.length % length != 0) {
                throw new InvalidInputException("token codes of " + tokens.length + " entries do not split into codes of length " + length);
            }
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] < 0 || tokens[i] >= vocab) {
                    throw new InvalidInputException("token " + tokens[i] + " at code " + i / length + ", position " + i % length
                            + " is outside the vocabulary 0.." + (vocab - 1) + ": check the code file's vocabulary size");
                }
            }
        }

        @Override
        public int rows() {
            return tokens.length / length;
        }

        @Override
        public int dim() {
            return length * vocab;
        }

        @Override
        public NDArray batch(NDManager m, int[] idx) {
            float[] out = new float[idx.length * dim()];
            for (int b = 0; b < idx.length; b++) {
                for (int l = 0; l < length; l++) {
                    out[b * dim() + l * vocab + tokens[idx[b] * length + l]] = 1;
                }
            }
            return m.create(out, new Shape(idx.length, dim()));
        }
    }

    /**
     * @param epochs       passes over the training set per fit
     * @param batch        examples per step
     * @param lr           AdamW learning rate
     * @param weightDecays candidates, chosen by held-out accuracy
     * @param heldOut      fraction of train held out to choose the weight decay
     */
    public record Config(int epochs, int batch, double lr, double[] weightDecays, double heldOut, long seed) {
        public static Config defaults(long seed) {
            return new Config(10, 256, 1e-3, new double[] {0, 1e-3, 1e-2}, 0.1, seed);
        }
    }

    /** Accuracies of the final probe, and the weight decay chosen with its held-out accuracy. */
    public record Result(double trainAccuracy, double testAccuracy, double weightDecay, double heldOutAccuracy) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "test accuracy %.4f (train %.4f; weight decay %g chosen at held-out %.4f)",
                    testAccuracy, trainAccuracy, weightDecay, heldOutAccuracy);
        }
    }

    private LinearProbe() {}

    public static Result fit(Inputs train, int[] trainLabels, Inputs test, int[] testLabels, int classes, Config config, NDManager manager) {
        if (train.rows() != trainLabels.length || test.rows() != testLabels.length) {
            throw new InvalidInputException("the probe needs one label per example: train has " + train.rows() + " rows and " + trainLabels.length
                    + " labels, test " + test.rows() + " and " + testLabels.length);
        }
        if (train.dim() != test.dim()) {
            throw new InvalidInputException("probe train inputs have " + train.dim() + " dimensions but test has " + test.dim() + ": use the same representation for both");
        }
        int[] order = new Rng(config.seed()).permutation(train.rows());
        int held = (int) Math.round(train.rows() * config.heldOut());
        int[] fitIdx = java.util.Arrays.copyOfRange(order, held, order.length);
        int[] heldIdx = java.util.Arrays.copyOfRange(order, 0, held);
        double bestWd = config.weightDecays()[0];
        double bestAcc = -1;
        for (double wd : config.weightDecays()) {
            try (NDManager sub = manager.newSubManager()) {
                Params params = new Params(sub);
                Linear model = train(params, train, trainLabels, fitIdx, classes, wd, config);
                double acc = accuracy(model, train, trainLabels, heldIdx, sub);
                if (acc > bestAcc) {
                    bestAcc = acc;
                    bestWd = wd;
                }
            }
        }
        int[] all = new int[train.rows()];
        java.util.Arrays.setAll(all, i -> i);
        int[] testAll = new int[test.rows()];
        java.util.Arrays.setAll(testAll, i -> i);
        try (NDManager sub = manager.newSubManager()) {
            Params params = new Params(sub);
            Linear model = train(params, train, trainLabels, all, classes, bestWd, config);
            return new Result(accuracy(model, train, trainLabels, all, sub), accuracy(model, test, testLabels, testAll, sub), bestWd, bestAcc);
        }
    }

    private static Linear train(Params params, Inputs x, int[] labels, int[] rows, int classes, double wd, Config config) {
        Linear model = new Linear(params, "probe", x.dim(), classes, true, Init.zeros(), Init.zeros(), new Rng(0));
        BatchSampler sampler = new BatchSampler(rows.length, Math.min(config.batch(), rows.length), false, config.seed() + 1);
        long steps = (long) config.epochs() * sampler.batchesPerEpoch();
        var tc = new Trainer.Config(steps, config.lr(), 0, new AdamW.Config(0.9, 0.999, 1e-8, wd), Double.POSITIVE_INFINITY, 0.0, 0);
        try (Trainer trainer = new Trainer(params, tc, config.seed() + 2)) {
            trainer.run((mgr, rng, step) -> {
                int[] idx = sampler.next();
                int[] rowsOf = new int[idx.length];
                int[] y = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    rowsOf[i] = rows[idx[i]];
                    y[i] = labels[rowsOf[i]];
                }
                return FeatureTraining.crossEntropy(model.forward(x.batch(mgr, rowsOf)), y);
            }, null, null, String.format(Locale.ROOT, "probe (weight decay %g)", wd));
        }
        return model;
    }

    private static double accuracy(Linear model, Inputs x, int[] labels, int[] rows, NDManager m) {
        long[] correct = {0};
        Batches.inOrder(rows.length, 1000, (start, batchRows) -> {
            int[] idx = new int[batchRows.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = rows[batchRows[i]];
            }
            long[] pred = model.forward(x.batch(m, idx)).argMax(1).toLongArray();
            for (int i = 0; i < idx.length; i++) {
                if (pred[i] == labels[idx[i]]) {
                    correct[0]++;
                }
            }
        });
        return correct[0] / (double) rows.length;
    }
}
