package org.dlc4j.toy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.dlc4j.util.Rng;

/**
 * A full-covariance Gaussian mixture fitted by expectation–maximisation, initialised by k-means++ seeding
 * and a few Lloyd iterations. Used by the toy study to infer a conditioning index without the oracle.
 */
public final class GaussianMixtureEm {
    private GaussianMixtureEm() {
    }

    /** Fit settings: EM stops when the mean log-likelihood improves by less than {@code tol}. */
    public record Config(int components, int maxIterations, double tol, double regCovar, int lloydIterations) {
        public static Config of(int components) {
            return new Config(components, 200, 1e-4, 1e-6, 10);
        }
    }

    /** A fitted mixture in d dimensions. */
    public record Model(int dim, double[] weights, double[][] means, double[][] covariances, double meanLogLikelihood, int iterations) {
        public int components() {
            return weights.length;
        }

        /** Index of the most probable component of each point. */
        public int[] assign(float[] points) {
            int n = points.length / dim;
            Precomputed pre = precompute();
            int[] out = new int[n];
            IntStream.range(0, n).parallel().forEach(i -> {
                double best = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int k = 0; k < weights.length; k++) {
                    double lp = pre.logWeightedDensity(points, i, k);
                    if (lp > best) {
                        best = lp;
                        arg = k;
                    }
                }
                out[i] = arg;
            });
            return out;
        }

        /** Components drawn from the mixture weights. */
        public int[] sampleComponents(int n, Rng rng) {
            double[] cdf = new double[weights.length];
            double acc = 0;
            for (int k = 0; k < weights.length; k++) {
                acc += weights[k];
                cdf[k] = acc;
            }
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                int k = Arrays.binarySearch(cdf, rng.nextDouble() * acc);
                out[i] = Math.min(k >= 0 ? k : -k - 1, weights.length - 1);
            }
            return out;
        }

        Precomputed precompute() {
            int kk = weights.length;
            double[][] chol = new double[kk][];
            double[] logNorm = new double[kk];
            for (int k = 0; k < kk; k++) {
                chol[k] = cholesky(covariances[k], dim);
                double logDet = 0;
                for (int a = 0; a < dim; a++) {
                    logDet += 2 * Math.log(chol[k][a * dim + a]);
                }
                logNorm[k] = Math.log(weights[k]) - 0.5 * (dim * Math.log(2 * Math.PI) + logDet);
            }
            return new Precomputed(this, chol, logNorm);
        }
    }

    private record Precomputed(Model m, double[][] chol, double[] logNorm) {
        /** log π_k + log N(x_i; μ_k, Σ_k), via a triangular solve with the Cholesky factor. */
        double logWeightedDensity(float[] pts, int i, int k) {
            int d = m.dim;
            double[] l = chol[k];
            double[] mu = m.means[k];
            double maha = 0;
            double[] z = new double[d];
            for (int a = 0; a < d; a++) {
                double s = pts[i * d + a] - mu[a];
                for (int b = 0; b < a; b++) {
                    s -= l[a * d + b] * z[b];
                }
                z[a] = s / l[a * d + a];
                maha += z[a] * z[a];
            }
            return logNorm[k] - 0.5 * maha;
        }
    }

    /** Lower-triangular L with L Lᵀ = A (row-major d×d). */
    static double[] cholesky(double[] a, int d) {
        double[] l = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * d + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * d + k] * l[j * d + k];
                }
                if (i == j) {
                    if (s <= 0) {
                        throw new IllegalStateException("covariance is not positive definite");
                    }
                    l[i * d + i] = Math.sqrt(s);
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        return l;
    }

    public static Model fit(float[] points, int dim, Config config, Rng rng) {
        int n = points.length / dim;
        int kk = config.components();
        if (n < kk) {
            throw new IllegalArgumentException("need at least as many points (" + n + ") as components (" + kk + ")");
        }
        int[] labels = kMeans(points, dim, kk, config.lloydIterations(), rng);
        Model model = mStepHard(points, dim, labels, kk, config.regCovar());
        double prev = Double.NEGATIVE_INFINITY;
        int it = 0;
        double[] r = new double[n * kk];
        for (; it < config.maxIterations(); it++) {
            double ll = eStep(model, points, r);
            model = mStep(points, dim, r, kk, config.regCovar(), ll, it + 1);
            if (ll - prev < config.tol()) {
                break;
            }
            prev = ll;
        }
        double finalLl = eStep(model, points, r);
        return new Model(dim, model.weights(), model.means(), model.covariances(), finalLl, it + 1);
    }

    /** Fills responsibilities r[i·K + k] and returns the mean log-likelihood. */
    private static double eStep(Model model, float[] points, double[] r) {
        int kk = model.components();
        int n = points.length / model.dim();
        Precomputed pre = model.precompute();
        double[] ll = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < kk; k++) {
                double v = pre.logWeightedDensity(points, i, k);
                r[i * kk + k] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int k = 0; k < kk; k++) {
                double e = Math.exp(r[i * kk + k] - max);
                r[i * kk + k] = e;
                sum += e;
            }
            for (int k = 0; k < kk; k++) {
                r[i * kk + k] /= sum;
            }
            ll[i] = max + Math.log(sum);
        });
        return Arrays.stream(ll).sum() / n;
    }

    private static Model mStep(float[] points, int d, double[] r, int kk, double reg, double ll, int iterations) {
        int n = points.length / d;
        double[] weights = new double[kk];
        double[][] means = new double[kk][d];
        double[][] covs = new double[kk][d * d];
        IntStream.range(0, kk).parallel().forEach(k -> {
            double nk = 1e-10;
            double[] mu = new double[d];
            for (int i = 0; i < n; i++) {
                double w = r[i * kk + k];
                nk += w;
                for (int a = 0; a < d; a++) {
                    mu[a] += w * points[i * d + a];
                }
            }
            for (int a = 0; a < d; a++) {
                mu[a] /= nk;
            }
            double[] cov = new double[d * d];
            for (int i = 0; i < n; i++) {
                double w = r[i * kk + k];
                if (w < 1e-12) {
                    continue;
                }
                for (int a = 0; a < d; a++) {
                    double da = points[i * d + a] - mu[a];
                    for (int b = 0; b <= a; b++) {
                        cov[a * d + b] += w * da * (points[i * d + b] - mu[b]);
                    }
                }
            }
            finishCovariance(cov, d, nk, reg);
            weights[k] = nk / n;
            means[k] = mu;
            covs[k] = cov;
        });
        return new Model(d, weights, means, covs, ll, iterations);
    }

    private static Model mStepHard(float[] points, int d, int[] labels, int kk, double reg) {
        int n = labels.length;
        double[] r = new double[n * kk];
        for (int i = 0; i < n; i++) {
            r[i * kk + labels[i]] = 1;
        }
        return mStep(points, d, r, kk, reg, Double.NEGATIVE_INFINITY, 0);
    }

    /** Divides by the weight, mirrors the lower triangle and adds the ridge that keeps Σ invertible. */
    private static void finishCovariance(double[] cov, int d, double nk, double reg) {
        for (int a = 0; a < d; a++) {
            for (int b = 0; b <= a; b++) {
                cov[a * d + b] /= nk;
                cov[b * d + a] = cov[a * d + b];
            }
            cov[a * d + a] += reg;
        }
    }

    /** k-means++ seeding (Arthur &amp; Vassilvitskii) followed by Lloyd iterations; returns hard labels. */
    static int[] kMeans(float[] points, int d, int kk, int iterations, Rng rng) {
        int n = points.length / d;
        double[][] centres = new double[kk][];
        centres[0] = point(points, d, rng.nextInt(n));
        double[] dist = new double[n];
        Arrays.fill(dist, Double.POSITIVE_INFINITY);
        for (int c = 1; c < kk; c++) {
            double[] last = centres[c - 1];
            IntStream.range(0, n).parallel().forEach(i -> dist[i] = Math.min(dist[i], sqDist(points, d, i, last)));
            double total = Arrays.stream(dist).sum();
            double u = rng.nextDouble() * total;
            int pick = n - 1;
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc += dist[i];
                if (acc >= u) {
                    pick = i;
                    break;
                }
            }
            centres[c] = point(points, d, pick);
        }
        int[] labels = new int[n];
        for (int it = 0; it <= iterations; it++) {
            IntStream.range(0, n).parallel().forEach(i -> {
                double best = Double.POSITIVE_INFINITY;
                for (int c = 0; c < kk; c++) {
                    double dd = sqDist(points, d, i, centres[c]);
                    if (dd < best) {
                        best = dd;
                        labels[i] = c;
                    }
                }
            });
            if (it == iterations) {
                break;
            }
            double[][] sums = new double[kk][d];
            int[] counts = new int[kk];
            for (int i = 0; i < n; i++) {
                counts[labels[i]]++;
                for (int a = 0; a < d; a++) {
                    sums[labels[i]][a] += points[i * d + a];
                }
            }
            for (int c = 0; c < kk; c++) {
                if (counts[c] > 0) {
                    for (int a = 0; a < d; a++) {
                        centres[c][a] = sums[c][a] / counts[c];
                    }
                }
            }
        }
        return labels;
    }

    private static double[] point(float[] points, int d, int i) {
        double[] p = new double[d];
        for (int a = 0; a < d; a++) {
            p[a] = points[i * d + a];
        }
        return p;
    }

    private static double sqDist(float[] points, int d, int i, double[] c) {
        double s = 0;
        for (int a = 0; a < d; a++) {
            double diff = points[i * d + a] - c[a];
            s += diff * diff;
        }
        return s;
    }
}
