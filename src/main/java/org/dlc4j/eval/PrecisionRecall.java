package org.dlc4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.dlc4j.util.InvalidInputException;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric for
 * Assessing Generative Models", §2, k = 3): each point of a set gets a ball reaching to its k-th nearest
 * other point of the same set; precision is the fraction of generated points inside at least one real
 * ball, recall the fraction of real points inside at least one generated ball. A point on a ball's
 * boundary counts as inside ({@code <=}), as in the authors' {@code ManifoldEstimator}.
 *
 * <p>All distances are squared Euclidean ‖x‖² + ‖y‖² − 2xᵀy from float32 DJL matmuls, in blocks of
 * {@value #BLOCK_ROWS} rows against a whole set, so memory stays at a few blocks of BLOCK_ROWS × N
 * whatever the set sizes.
 */
public final class PrecisionRecall {
    public static final int DEFAULT_K = 3;
    static final int BLOCK_ROWS = 1024;

    /** Fraction of generated points on the real manifold, and of real points on the generated manifold. */
    public record Result(double precision, double recall) {}

    private PrecisionRecall() {}

    public static Result compute(FeatureMatrix real, FeatureMatrix fake, NDManager manager) {
        return compute(real, fake, DEFAULT_K, manager);
    }

    public static Result compute(FeatureMatrix real, FeatureMatrix fake, int k, NDManager manager) {
        if (k < 1) {
            throw new InvalidInputException("precision/recall: k = " + k + " is not a neighbourhood size: use k >= 1 (the paper uses 3)");
        }
        String why = "each ball reaches to the k-th nearest other point, k = " + k;
        real.requireUsable("precision/recall", "real", k + 1, why);
        fake.requireUsable("precision/recall", "generated", k + 1, why);
        FeatureMatrix.requireSameDim("precision/recall", real, "real", fake, "generated");
        int nr = real.rows();
        try (NDManager sub = manager.newSubManager()) {
            NDArray realT = real.toNDArray(sub).transpose();
            NDArray realNorms = realT.square().sum(new int[] {0}, true); // (1, N_real)
            float[] realRadii = kthNeighbourSquared(real, realT, realNorms, k, sub);
            float[] fakeRadii;
            try (NDManager own = sub.newSubManager()) {
                NDArray fakeT = fake.toNDArray(own).transpose();
                fakeRadii = kthNeighbourSquared(fake, fakeT, fakeT.square().sum(new int[] {0}, true), k, own);
            }
            NDArray realRadiiRow = sub.create(realRadii, new Shape(1, nr));
            // One pass over the generated×real distance blocks serves both directions: rows answer
            // "is this generated point in some real ball", columns "is this real point in some generated ball".
            long fakeInside = 0;
            float[] realSlack = new float[nr]; // min over generated i of d²(i, j) − r_i²; ≤ 0 means covered
            Arrays.fill(realSlack, Float.POSITIVE_INFINITY);
            for (int start = 0; start < fake.rows(); start += BLOCK_ROWS) {
                int end = Math.min(fake.rows(), start + BLOCK_ROWS);
                try (NDManager blk = sub.newSubManager()) {
                    NDArray dist = squaredDistances(fake.toNDArray(blk, start, end), realT, realNorms);
                    boolean[] inside = dist.sub(realRadiiRow).min(new int[] {1}).lte(0f).toBooleanArray();
                    for (boolean b : inside) {
                        fakeInside += b ? 1 : 0;
                    }
                    float[] r = Arrays.copyOfRange(fakeRadii, start, end);
                    float[] colMin = dist.subi(blk.create(r, new Shape(end - start, 1))).min(new int[] {0}).toFloatArray();
                    for (int j = 0; j < nr; j++) {
                        realSlack[j] = Math.min(realSlack[j], colMin[j]);
                    }
                }
            }
            long realInside = 0;
            for (float s : realSlack) {
                realInside += s <= 0 ? 1 : 0;
            }
            return new Result((double) fakeInside / fake.rows(), (double) realInside / nr);
        }
    }

    /**
     * Squared distance from every row of {@code x} to its k-th nearest other row. The k+1 smallest
     * distances of a row include the row itself (≈ 0), so their largest is the k-th nearest other point —
     * the same {@code np.partition(kth=k)} rule as the reference, which also does the right thing for
     * duplicate points.
     */
    private static float[] kthNeighbourSquared(FeatureMatrix x, NDArray xT, NDArray xNorms, int k, NDManager manager) {
        float[] out = new float[x.rows()];
        for (int start = 0; start < x.rows(); start += BLOCK_ROWS) {
            int end = Math.min(x.rows(), start + BLOCK_ROWS);
            try (NDManager blk = manager.newSubManager()) {
                NDArray dist = squaredDistances(x.toNDArray(blk, start, end), xT, xNorms);
                NDList smallest = dist.topK(k + 1, 1, false, false);
                float[] kth = smallest.get(0).max(new int[] {1}).toFloatArray();
                for (int i = 0; i < kth.length; i++) {
                    // Cancellation in ‖x‖²+‖y‖²−2xᵀy can go slightly negative; clamping the k+1 chosen values
                    // instead of the whole block is equivalent (the order is unchanged) and saves a pass.
                    out[start + i] = Math.max(0f, kth[i]);
                }
            }
        }
        return out;
    }

    /**
     * ‖a_i‖² + ‖b_j‖² − 2 a_iᵀb_j for a block {@code a} (B × d) against {@code bT} (d × N), owned by
     * {@code a}'s manager. Not clamped at zero: the callers only compare with non-negative radii, where a
     * slightly negative rounding value decides the same way as zero.
     */
    private static NDArray squaredDistances(NDArray a, NDArray bT, NDArray bNorms) {
        NDArray aNorms = a.square().sum(new int[] {1}, true);
        return a.matMul(bT).muli(-2).addi(aNorms).addi(bNorms);
    }
}
