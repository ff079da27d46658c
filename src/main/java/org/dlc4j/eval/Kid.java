package org.dlc4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs", §4 and App. D): the unbiased
 * estimator of MMD² with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over random
 * subsets. Subset protocol and defaults (100 subsets of 1000, drawn without replacement, mean and
 * population std over subsets) follow the reference code as packaged in torch-fidelity
 * ({@code kid_subsets=100, kid_subset_size=1000}, {@code np.std}).
 */
public final class Kid {
    public static final int DEFAULT_SUBSETS = 100;
    public static final int DEFAULT_SUBSET_SIZE = 1000;
    /** Fixed so that a report is reproducible without asking the user for a seed. */
    public static final long DEFAULT_SEED = 0;

    /** MMD² averaged over subsets, and its population standard deviation over subsets. */
    public record Result(double mean, double std) {}

    private Kid() {}

    /** KID with the reference defaults (100 subsets of up to 1000, seed {@value #DEFAULT_SEED}). */
    public static Result compute(FeatureMatrix real, FeatureMatrix generated, NDManager manager) {
        return compute(real, generated, DEFAULT_SUBSETS, DEFAULT_SUBSET_SIZE, new Rng(DEFAULT_SEED), manager);
    }

    /**
     * KID over {@code subsets} subsets of size m = min(subsetSize, n_real, n_generated), each drawn without
     * replacement from each set independently.
     */
    public static Result compute(FeatureMatrix real, FeatureMatrix generated, int subsets, int subsetSize, Rng rng,
            NDManager manager) {
        if (subsets < 1 || subsetSize < 2) {
            throw new InvalidInputException("KID: got " + subsets + " subsets of size " + subsetSize
                    + ": use at least 1 subset of at least 2 vectors");
        }
        String why = "the unbiased MMD estimator divides by m-1";
        real.requireUsable("KID", "real", 2, why);
        generated.requireUsable("KID", "generated", 2, why);
        FeatureMatrix.requireSameDim("KID", real, "real", generated, "generated");
        int m = Math.min(subsetSize, Math.min(real.rows(), generated.rows()));
        if (2L * m * m > Integer.MAX_VALUE) {
            throw new InvalidInputException("KID: a subset size of " + m + " needs kernel blocks larger than 2^31 values:"
                    + " use a subset size of at most 32768 (the reference uses 1000)");
        }
        int d = real.dim();
        double[] mmd = new double[subsets];
        try (NDManager sub = manager.newSubManager()) {
            for (int s = 0; s < subsets; s++) {
                int[] ia = Arrays.copyOf(rng.permutation(real.rows()), m);
                int[] ib = Arrays.copyOf(rng.permutation(generated.rows()), m);
                try (NDManager step = sub.newSubManager()) {
                    NDArray x = real.select(ia).toNDArray(step);
                    NDArray y = generated.select(ib).toNDArray(step);
                    // Row i of x·[x; y]ᵀ holds k(x_i, x_·) then k(x_i, y_·): one product gives two blocks.
                    float[] xz = x.matMul(NDArrays.concat(new NDList(x, y)).transpose()).toFloatArray();
                    float[] yy = y.matMul(y.transpose()).toFloatArray();
                    double kxx = 0;
                    double kxy = 0;
                    double kyy = 0;
                    for (int i = 0; i < m; i++) {
                        int row = i * 2 * m;
                        for (int j = 0; j < m; j++) {
                            if (j != i) {
                                kxx += cube(xz[row + j], d);
                                kyy += cube(yy[i * m + j], d);
                            }
                            kxy += cube(xz[row + m + j], d);
                        }
                    }
                    mmd[s] = (kxx + kyy) / ((double) m * (m - 1)) - 2 * kxy / ((double) m * m);
                }
            }
        }
        double mean = Arrays.stream(mmd).average().orElseThrow();
        double var = Arrays.stream(mmd).map(v -> (v - mean) * (v - mean)).sum() / subsets;
        return new Result(mean, Math.sqrt(var));
    }

    /**
     * (xᵀy/d + 1)³ from a float32 dot product. The cube and the sums run in Java doubles because MMD² is
     * a small difference of sums over m² kernel values; doing this elementwise work on the host rather
     * than as half a dozen native ops per block also keeps KID fast when other jobs share the cores.
     */
    private static double cube(float dot, int d) {
        double k = (double) dot / d + 1;
        return k * k * k;
    }
}
