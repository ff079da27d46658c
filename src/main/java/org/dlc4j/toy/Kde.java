package org.dlc4j.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

/**
 * A Gaussian kernel density estimate in 2-D. The kernel covariance is the sample covariance times
 * factor², as in scipy.stats.gaussian_kde: Silverman's factor (n(d+2)/4)^(−1/(d+4)), or any other factor;
 * or an isotropic fixed bandwidth.
 */
public final class Kde {
    private final float[] samples;
    private final double[] kernelCov; // row-major 2×2
    private final double[] whiten;    // L⁻¹ with L Lᵀ = kernel covariance
    private final double logNorm;

    private Kde(float[] samples, double[] kernelCov) {
        this.samples = samples;
        this.kernelCov = kernelCov;
        double[] l = GaussianMixtureEm.cholesky(kernelCov, 2);
        this.whiten = new double[] {1 / l[0], 0, -l[2] / (l[0] * l[3]), 1 / l[3]};
        this.logNorm = -Math.log(2 * Math.PI) - Math.log(l[0] * l[3]) - Math.log(samples.length / 2.0);
    }

    /** scipy's Silverman rule: the data covariance scaled by n^(−1/6) squared in 2-D. */
    public static Kde silverman(float[] xy) {
        return scaled(xy, silvermanFactor(xy.length / 2));
    }

    public static double silvermanFactor(int n) {
        return Math.pow(n * (2 + 2) / 4.0, -1.0 / (2 + 4));
    }

    /** The sample covariance scaled by factor² as the kernel covariance. */
    public static Kde scaled(float[] xy, double factor) {
        double[] cov = covariance(xy);
        for (int i = 0; i < 4; i++) {
            cov[i] *= factor * factor;
        }
        return new Kde(xy, cov);
    }

    public static Kde fixed(float[] xy, double bandwidth) {
        return new Kde(xy, new double[] {bandwidth * bandwidth, 0, 0, bandwidth * bandwidth});
    }

    /** Standard deviation of the kernel along x (for reports). */
    public double bandwidthX() {
        return Math.sqrt(kernelCov[0]);
    }

    static double[] covariance(float[] xy) {
        int n = xy.length / 2;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += xy[2 * i];
            my += xy[2 * i + 1];
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = xy[2 * i] - mx;
            double dy = xy[2 * i + 1] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        return new double[] {sxx / (n - 1), sxy / (n - 1), sxy / (n - 1), syy / (n - 1)};
    }

    /** log p̂(x) at each query point; chunks keep the distance matrix small. */
    public double[] logDensity(NDManager manager, float[] queries) {
        int m = queries.length / 2;
        double[] out = new double[m];
        try (NDScope outer = new NDScope()) {
            outer.suppressNotUsedWarning();
            NDArray s = whitened(manager, samples);
            NDArray sNorm = s.square().sum(new int[] {1}).expandDims(0);
            int chunk = 1024;
            for (int start = 0; start < m; start += chunk) {
                int end = Math.min(m, start + chunk);
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    float[] part = java.util.Arrays.copyOfRange(queries, 2 * start, 2 * end);
                    NDArray q = whitened(manager, part);
                    NDArray d2 = q.square().sum(new int[] {1}).expandDims(1).add(sNorm).sub(q.matMul(s.transpose()).mul(2)).maximum(0);
                    NDArray logK = d2.mul(-0.5);
                    NDArray max = logK.max(new int[] {1}, true);
                    float[] lse = logK.sub(max).exp().sum(new int[] {1}).log().add(max.squeeze(1)).toFloatArray();
                    for (int i = 0; i < lse.length; i++) {
                        out[start + i] = lse[i] + logNorm;
                    }
                }
            }
        }
        return out;
    }

    private NDArray whitened(NDManager manager, float[] xy) {
        int n = xy.length / 2;
        float[] w = new float[xy.length];
        for (int i = 0; i < n; i++) {
            double x = xy[2 * i];
            double y = xy[2 * i + 1];
            w[2 * i] = (float) (whiten[0] * x);
            w[2 * i + 1] = (float) (whiten[2] * x + whiten[3] * y);
        }
        return manager.create(w, new Shape(n, 2));
    }
}
