package org.dlc4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Vendi score (Friedman &amp; Dieng 2023, "The Vendi Score: A Diversity Evaluation Metric for Machine
 * Learning", Def. 3.1) with the cosine-similarity kernel: VS = exp(−Σ λ_i log λ_i) over the eigenvalues
 * of K/n, K_ij = x̂_iᵀx̂_j for unit-normalised rows. It reads as an effective number of distinct items:
 * 1 for k copies of one vector, k for k mutually orthogonal vectors.
 *
 * <p>K/n = X̂X̂ᵀ/n and X̂ᵀX̂/n share their non-zero eigenvalues, so the smaller of the two Gram matrices is
 * decomposed: d × d once n &gt; d, the form the reference {@code vendi_score.score_X} always uses.
 */
public final class Vendi {

    private Vendi() {}

    /** As {@link #score(FeatureMatrix, NDManager)} with a short-lived manager of its own. */
    public static double score(FeatureMatrix features) {
        try (NDManager own = NDManager.newBaseManager()) {
            return score(features, own);
        }
    }

    public static double score(FeatureMatrix features, NDManager manager) {
        features.requireUsable("Vendi", "input", 1, "the score of an empty set is undefined");
        features = withZeroRowsAsOneDirection(features);
        int n = features.rows();
        int d = features.dim();
        float[] x = features.data();
        double[] invNorm = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double v = x[i * d + j];
                s += v * v;
            }
            invNorm[i] = 1 / Math.sqrt(s);
        }
        int size = Math.min(n, d);
        double[] gram;
        try (NDManager sub = manager.newSubManager()) {
            // float64 throughout: a score near 1 is an entropy near 0, where rounding in the Gram matrix shows.
            NDArray unit = features.toNDArray(sub).toType(DataType.FLOAT64, false)
                    .muli(sub.create(invNorm, new Shape(n, 1)));
            NDArray g = n > d ? unit.transpose().matMul(unit) : unit.matMul(unit.transpose());
            gram = g.divi(n).toDoubleArray();
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(size, false, true);
        DMatrixRMaj m = new DMatrixRMaj(size, size, true, gram);
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                double v = 0.5 * (m.unsafe_get(i, j) + m.unsafe_get(j, i));
                m.unsafe_set(i, j, v);
                m.unsafe_set(j, i, v);
            }
        }
        if (!eig.decompose(m)) {
            throw new IllegalStateException("the eigendecomposition of the Vendi similarity matrix did not converge");
        }
        double entropy = 0;
        for (int k = 0; k < size; k++) {
            double lambda = eig.getEigenvalue(k).getReal();
            // Eigenvalues that rounding pushed to ≤ 0 belong to the null space: 0·log 0 = 0.
            if (lambda > 0) {
                entropy -= lambda * Math.log(lambda);
            }
        }
        return Math.exp(entropy);
    }

    /**
     * A ReLU feature vector can be all zeros (a blank generated image, say), where cosine similarity is undefined.
     * Such rows are all the same point, so they get one extra dimension of their own: similar to each other
     * (1), dissimilar to everything else (0), instead of failing a whole evaluation.
     */
    static FeatureMatrix withZeroRowsAsOneDirection(FeatureMatrix f) {
        int n = f.rows();
        int d = f.dim();
        boolean[] zero = new boolean[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            boolean z = true;
            for (int j = 0; j < d && z; j++) {
                z = f.data()[i * d + j] == 0;
            }
            zero[i] = z;
            any |= z;
        }
        if (!any) {
            return f;
        }
        float[] out = new float[n * (d + 1)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(f.data(), i * d, out, i * (d + 1), d);
            out[i * (d + 1) + d] = zero[i] ? 1 : 0;
        }
        return new FeatureMatrix(n, d + 1, out);
    }
}
