package org.dlc4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import org.dlc4j.io.DType;
import org.dlc4j.io.HostTensor;
import org.dlc4j.util.InvalidInputException;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Mean and covariance of a feature set, and the Fréchet distance between two such Gaussians — the
 * statistic behind FID (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a
 * Local Nash Equilibrium", eq. for d²((m,C),(m_w,C_w)); Dowson &amp; Landau 1982 for the closed form).
 * The features come from the project's own feature network, not ImageNet Inception, so values are not
 * comparable with published FIDs.
 *
 * <p>{@code cov} is {@code dim × dim} row-major and unbiased (divides by N−1, like {@code numpy.cov}).
 * Arrays are not copied: treat them as read-only.
 *
 * <h2>Tensor contract</h2>
 * {@link #toTensors} writes three tensors under a caller-chosen prefix: {@code <prefix>mean} (F32,
 * shape [dim]), {@code <prefix>cov} (F32, shape [dim, dim]) and {@code <prefix>count} (I64 scalar, shape
 * [], the number of feature vectors the statistics were estimated from). Storing float32 halves the file
 * and costs nothing measurable: the sampling error of a covariance estimate is far above float32 rounding.
 */
public record GaussianStats(int dim, long count, double[] mean, double[] cov) {

    /** Rows per float64 block when accumulating XᵀX: bounds native memory at ~4096·dim·8 bytes. */
    private static final int BLOCK_ROWS = 4096;

    public GaussianStats {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(cov, "cov");
        if (dim < 1 || count < 0) {
            throw new IllegalArgumentException("Gaussian statistics need dim >= 1 and count >= 0, got dim " + dim
                    + ", count " + count);
        }
        if (mean.length != dim || cov.length != (long) dim * dim) {
            throw new IllegalArgumentException("dimension " + dim + " needs a mean of " + dim + " and a covariance of "
                    + (long) dim * dim + " values, got " + mean.length + " and " + cov.length);
        }
    }

    /**
     * Estimates mean and unbiased covariance of {@code f}. The mean is summed in Java doubles and
     * subtracted before the product, because the one-pass form E[xxᵀ] − μμᵀ loses most significant
     * digits when features have a large mean; XᵀX runs as float64 DJL matmuls over row blocks.
     */
    public static GaussianStats of(FeatureMatrix f, NDManager manager) {
        f.requireUsable("FD", "input", 2, "an unbiased covariance divides by N-1");
        int n = f.rows();
        int d = f.dim();
        float[] x = f.data();
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            int base = i * d;
            for (int j = 0; j < d; j++) {
                mean[j] += x[base + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[] cov;
        try (NDManager sub = manager.newSubManager()) {
            NDArray mu = sub.create(mean, new Shape(1, d));
            NDArray acc = sub.zeros(new Shape(d, d), DataType.FLOAT64);
            for (int start = 0; start < n; start += BLOCK_ROWS) {
                int end = Math.min(n, start + BLOCK_ROWS);
                try (NDManager blk = sub.newSubManager()) {
                    NDArray centred = f.toNDArray(blk, start, end).toType(DataType.FLOAT64, false).sub(mu);
                    acc.addi(centred.transpose().matMul(centred));
                }
            }
            cov = acc.toDoubleArray();
        }
        // The blocked product is symmetric only up to rounding; the eigensolvers downstream assume exact symmetry.
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = 0.5 * (cov[i * d + j] + cov[j * d + i]) / (n - 1);
                cov[i * d + j] = v;
                cov[j * d + i] = v;
            }
        }
        return new GaussianStats(d, n, mean, cov);
    }

    /**
     * The statistics of one feature vector (count 1, zero scatter): what a shard holding a single image contributes to
     * {@link #merge}. Its covariance is not an estimate (it needs two vectors): merge it before use.
     */
    public static GaussianStats ofOne(float[] x) {
        double[] mean = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            mean[j] = x[j];
        }
        return new GaussianStats(x.length, 1, mean, new double[x.length * x.length]);
    }

    /**
     * The statistics of the union of disjoint sets, from theirs alone (Chan, Golub and LeVeque's pairwise update of the
     * centred scatter, in float64): shards of a data set measured on different machines merge into what {@link #of}
     * gives on the whole, to rounding. Merged in the order given.
     */
    public static GaussianStats merge(List<GaussianStats> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        int d = parts.get(0).dim;
        long n = 0;
        double[] mean = new double[d];
        double[] scatter = new double[d * d];
        for (GaussianStats p : parts) {
            if (p.dim != d) {
                throw new IllegalArgumentException("statistics of dimension " + p.dim + " and " + d + " do not merge");
            }
            if (p.count == 0) {
                continue;
            }
            long total = n + p.count;
            double[] delta = new double[d];
            for (int j = 0; j < d; j++) {
                delta[j] = p.mean[j] - mean[j];
            }
            double w = (double) n * p.count / total;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    scatter[i * d + j] += p.cov[i * d + j] * (p.count - 1) + delta[i] * delta[j] * w;
                }
            }
            for (int j = 0; j < d; j++) {
                mean[j] += delta[j] * p.count / total;
            }
            n = total;
        }
        if (n < 2) {
            throw new InvalidInputException("FD: the merged statistics hold " + n + " feature vector(s); an unbiased covariance needs at least 2");
        }
        for (int i = 0; i < d * d; i++) {
            scatter[i] /= n - 1;
        }
        return new GaussianStats(d, n, mean, scatter);
    }

    /**
     * The Fréchet distance |μ1−μ2|² + tr Σ1 + tr Σ2 − 2 tr sqrt(Σ1 Σ2).
     *
     * <p>tr sqrt(Σ1Σ2) is taken as Σ sqrt(eig(S Σ2 S)) with S = sqrt(Σ1): S Σ2 S is similar to Σ1Σ2 but
     * symmetric positive semi-definite, so symmetric eigensolvers apply and no complex square roots of a
     * non-symmetric product (the failure mode of scipy.linalg.sqrtm in pytorch-fid) can arise. Negative
     * eigenvalues are rounding noise of singular covariances and are clamped to zero. With Σ1 = V Λ Vᵀ,
     * S Σ2 S = V (Pᵀ Σ2 P) Vᵀ for P = V Λ^½, so the eigenvalues are those of Pᵀ Σ2 P, which needs two
     * matrix products instead of three.
     */
    public double frechetDistance(GaussianStats other) {
        if (other.dim != dim) {
            throw new InvalidInputException("FD: the statistics have dimension " + dim + " and " + other.dim
                    + ": compute both with the same feature network");
        }
        double meanTerm = 0;
        for (int j = 0; j < dim; j++) {
            double diff = mean[j] - other.mean[j];
            meanTerm += diff * diff;
        }
        double traces = trace(cov, dim) + trace(other.cov, dim);
        return meanTerm + traces - 2 * traceSqrtProduct(cov, other.cov, dim);
    }

    /** tr sqrt(A B) for symmetric positive semi-definite A and B (d × d, row-major). */
    static double traceSqrtProduct(double[] a, double[] b, int d) {
        EigenDecomposition_F64<DMatrixRMaj> eigA = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eigA.decompose(new DMatrixRMaj(d, d, true, a))) {
            throw new IllegalStateException("the eigendecomposition of a covariance did not converge");
        }
        // P = V Λ^½: column k of P is eigenvector k scaled by the square root of its eigenvalue.
        DMatrixRMaj p = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            double s = Math.sqrt(Math.max(0.0, eigA.getEigenvalue(k).getReal()));
            DMatrixRMaj v = eigA.getEigenVector(k);
            for (int i = 0; i < d; i++) {
                p.unsafe_set(i, k, v.unsafe_get(i, 0) * s);
            }
        }
        DMatrixRMaj ptb = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(p, new DMatrixRMaj(d, d, true, b), ptb);
        DMatrixRMaj m = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(ptb, p, m);
        symmetrize(m);
        EigenDecomposition_F64<DMatrixRMaj> eigM = DecompositionFactory_DDRM.eig(d, false, true);
        if (!eigM.decompose(m)) {
            throw new IllegalStateException("the eigendecomposition of S·Σ2·S did not converge");
        }
        double sum = 0;
        for (int k = 0; k < d; k++) {
            sum += Math.sqrt(Math.max(0.0, eigM.getEigenvalue(k).getReal()));
        }
        return sum;
    }

    private static void symmetrize(DMatrixRMaj m) {
        int d = m.numRows;
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                double v = 0.5 * (m.unsafe_get(i, j) + m.unsafe_get(j, i));
                m.unsafe_set(i, j, v);
                m.unsafe_set(j, i, v);
            }
        }
    }

    private static double trace(double[] c, int d) {
        double t = 0;
        for (int i = 0; i < d; i++) {
            t += c[i * d + i];
        }
        return t;
    }

    /** The three tensors of the class-level contract, named {@code prefix + "mean" | "cov" | "count"}. */
    public Map<String, HostTensor> toTensors(String prefix) {
        float[] m = new float[dim];
        for (int j = 0; j < dim; j++) {
            m[j] = (float) mean[j];
        }
        float[] c = new float[cov.length];
        for (int k = 0; k < c.length; k++) {
            c[k] = (float) cov[k];
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(prefix + "mean", HostTensor.ofFloats(new long[] {dim}, m));
        out.put(prefix + "cov", HostTensor.ofFloats(new long[] {dim, dim}, c));
        out.put(prefix + "count", HostTensor.ofLongs(new long[] {}, new long[] {count}));
        return out;
    }

    /** Reads what {@link #toTensors} wrote (a count of shape [1] is accepted as well as a scalar). */
    public static GaussianStats fromTensors(Map<String, HostTensor> tensors, String prefix) {
        HostTensor mean = require(tensors, prefix + "mean", DType.F32);
        HostTensor cov = require(tensors, prefix + "cov", DType.F32);
        HostTensor count = require(tensors, prefix + "count", DType.I64);
        long[] ms = mean.shape();
        long[] cs = cov.shape();
        if (ms.length != 1 || ms[0] < 1 || ms[0] > Integer.MAX_VALUE || !Arrays.equals(cs, new long[] {ms[0], ms[0]})) {
            throw new InvalidInputException("feature statistics '" + prefix + "' have mean shape " + Arrays.toString(ms)
                    + " and covariance shape " + Arrays.toString(cs) + ", expected [d] and [d, d]:"
                    + " recompute the reference statistics");
        }
        if (count.numel() != 1 || count.shape().length > 1 || count.longs()[0] < 0) {
            throw new InvalidInputException("feature statistics '" + prefix + "count' must be one non-negative integer:"
                    + " recompute the reference statistics");
        }
        int d = (int) ms[0];
        float[] m = mean.floats();
        float[] c = cov.floats();
        double[] md = new double[d];
        for (int j = 0; j < d; j++) {
            md[j] = m[j];
        }
        double[] cd = new double[c.length];
        for (int k = 0; k < c.length; k++) {
            cd[k] = c[k];
        }
        return new GaussianStats(d, count.longs()[0], md, cd);
    }

    private static HostTensor require(Map<String, HostTensor> tensors, String name, DType dtype) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new InvalidInputException("feature statistics are missing tensor '" + name + "': the file was not written"
                    + " by the eval command or uses another prefix; recompute the reference statistics");
        }
        if (t.dtype() != dtype) {
            throw new InvalidInputException("feature statistics tensor '" + name + "' is " + t.dtype() + ", expected " + dtype
                    + ": recompute the reference statistics");
        }
        return t;
    }
}
