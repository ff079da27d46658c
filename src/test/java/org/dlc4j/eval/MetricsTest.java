package org.dlc4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.dlc4j.io.HostTensor;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** FD, KID, IS, precision/recall and Vendi against closed forms and limiting cases. */
class MetricsTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    // ---------------------------------------------------------------- Fréchet distance

    @Test
    void fdOfDiagonalGaussiansIsMeanGapPlusStdGap() {
        double[] m1 = {0, 1, -2};
        double[] m2 = {0.5, 1, 0};
        double[] s1 = {1, 2, 0.5};
        double[] s2 = {3, 2, 0.25};
        double expected = 0.25 + 4;
        for (int i = 0; i < 3; i++) {
            expected += (s1[i] - s2[i]) * (s1[i] - s2[i]);
        }
        GaussianStats a = new GaussianStats(3, 100, m1, diag(s1));
        GaussianStats b = new GaussianStats(3, 100, m2, diag(s2));
        assertEquals(expected, a.frechetDistance(b), 1e-10);
        assertEquals(expected, b.frechetDistance(a), 1e-10);
    }

    @Test
    void fdOfNonDiagonalGaussiansMatchesScipySqrtm() {
        int d = 5;
        double[] a1 = new double[d * d];
        double[] a2 = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                a1[i * d + j] = Math.sin(i * d + j + 1);
                a2[i * d + j] = Math.cos(2 * i - j);
            }
        }
        double[] m1 = new double[d];
        double[] m2 = new double[d];
        for (int i = 0; i < d; i++) {
            m1[i] = 0.1 * i;
            m2[i] = -0.2 + 0.05 * i * i;
        }
        GaussianStats p = new GaussianStats(d, 10, m1, gramPlusRidge(a1, d, 0.5));
        GaussianStats q = new GaussianStats(d, 10, m2, gramPlusRidge(a2, d, 0.1));
        // numpy/scipy: ((m1-m2)**2).sum() + tr(S1) + tr(S2) - 2 tr(scipy.linalg.sqrtm(S1 @ S2)), same matrices.
        assertEquals(9.433598500375457, p.frechetDistance(q), 1e-9);
    }

    @Test
    void fdOf2x2GaussiansMatchesDeterminantFormula() {
        // For 2×2 A with positive eigenvalues: (tr sqrt A)² = tr A + 2 sqrt(det A), an independent route.
        double[] c1 = {2.0, 0.7, 0.7, 1.0};
        double[] c2 = {0.5, -0.3, -0.3, 3.0};
        double[] prod = {c1[0] * c2[0] + c1[1] * c2[2], c1[0] * c2[1] + c1[1] * c2[3],
            c1[2] * c2[0] + c1[3] * c2[2], c1[2] * c2[1] + c1[3] * c2[3]};
        double det = (c1[0] * c1[3] - c1[1] * c1[2]) * (c2[0] * c2[3] - c2[1] * c2[2]);
        double trSqrt = Math.sqrt(prod[0] + prod[3] + 2 * Math.sqrt(det));
        double expected = 1 + 4 + (c1[0] + c1[3]) + (c2[0] + c2[3]) - 2 * trSqrt;
        GaussianStats a = new GaussianStats(2, 10, new double[] {1, 0}, c1);
        GaussianStats b = new GaussianStats(2, 10, new double[] {0, 2}, c2);
        assertEquals(expected, a.frechetDistance(b), 1e-12);
    }

    @Test
    void fdEstimatedFromSamplesConvergesToClosedForm() {
        int d = 8;
        int n = 20_000;
        double[] shift = new double[d];
        double[] scale = new double[d];
        double expected = 0;
        for (int j = 0; j < d; j++) {
            shift[j] = 0.3 * (j % 3) - 0.2;
            scale[j] = 0.5 + 0.2 * j;
            expected += shift[j] * shift[j] + (1 - scale[j]) * (1 - scale[j]);
        }
        // A common rotation makes both covariances non-diagonal without changing the distance.
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = j + 1;
        }
        Rng rng = new Rng(7);
        FeatureMatrix a = rotated(gaussian(rng, n, d, new double[d], ones(d)), v);
        FeatureMatrix b = rotated(gaussian(rng, n, d, shift, scale), v);
        double fd = GaussianStats.of(a, manager).frechetDistance(GaussianStats.of(b, manager));
        assertEquals(expected, fd, 0.05 * expected, "closed form " + expected + ", estimate " + fd);
    }

    @Test
    void fdOfASetWithItselfIsZero() {
        FeatureMatrix f = correlated(new Rng(3), 2000, 32);
        GaussianStats s = GaussianStats.of(f, manager);
        double trace = 0;
        for (int i = 0; i < s.dim(); i++) {
            trace += s.cov()[i * s.dim() + i];
        }
        assertTrue(Math.abs(s.frechetDistance(s)) < 1e-6 * trace, "FD(a,a) = " + s.frechetDistance(s));
    }

    /** Shards measured apart (one of a single vector) merge into the whole set's statistics, and so into its FD. */
    @Test
    void statisticsOfShardsMergeIntoTheWholeSets() {
        FeatureMatrix f = correlated(new Rng(4), 500, 16);
        FeatureMatrix other = correlated(new Rng(5), 400, 16);
        GaussianStats whole = GaussianStats.of(f, manager);
        GaussianStats merged = GaussianStats.merge(java.util.List.of(GaussianStats.ofOne(f.row(0)), GaussianStats.of(f.slice(1, 200), manager),
                GaussianStats.of(f.slice(200, 203), manager), GaussianStats.of(f.slice(203, 500), manager)));
        assertEquals(whole.count(), merged.count());
        for (int i = 0; i < whole.cov().length; i++) {
            assertEquals(whole.cov()[i], merged.cov()[i], 1e-12 * (1 + Math.abs(whole.cov()[i])));
        }
        for (int j = 0; j < whole.dim(); j++) {
            assertEquals(whole.mean()[j], merged.mean()[j], 1e-12);
        }
        GaussianStats ref = GaussianStats.of(other, manager);
        assertEquals(whole.frechetDistance(ref), merged.frechetDistance(ref), 1e-9 * whole.frechetDistance(ref));
        assertThrows(InvalidInputException.class, () -> GaussianStats.merge(java.util.List.of(GaussianStats.ofOne(f.row(0)))), "one vector");
    }

    @Test
    void sampleStatisticsMatchNumpyCovConventions() {
        FeatureMatrix f = FeatureMatrix.of(new float[][] {{1, 2}, {3, 6}, {5, 7}});
        GaussianStats s = GaussianStats.of(f, manager);
        assertEquals(3, s.count());
        assertEquals(3.0, s.mean()[0], 1e-12);
        assertEquals(5.0, s.mean()[1], 1e-12);
        // numpy.cov (N-1): var x = 4, cov = (−2·−3 + 0·1 + 2·2)/2 = 5, var y = (9+1+4)/2 = 7
        assertEquals(4.0, s.cov()[0], 1e-12);
        assertEquals(5.0, s.cov()[1], 1e-12);
        assertEquals(5.0, s.cov()[2], 1e-12);
        assertEquals(7.0, s.cov()[3], 1e-12);
    }

    @Test
    void statisticsRoundTripThroughTensors() {
        GaussianStats s = GaussianStats.of(correlated(new Rng(5), 500, 6), manager);
        Map<String, HostTensor> t = s.toTensors("pool.");
        assertEquals(3, t.size());
        GaussianStats back = GaussianStats.fromTensors(t, "pool.");
        assertEquals(s.dim(), back.dim());
        assertEquals(500, back.count());
        for (int k = 0; k < s.cov().length; k++) {
            assertEquals(s.cov()[k], back.cov()[k], 1e-6 * Math.abs(s.cov()[k]) + 1e-9);
        }
        assertTrue(Math.abs(s.frechetDistance(back)) < 1e-4);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> GaussianStats.fromTensors(t, "spatial."));
        assertTrue(e.getMessage().contains("spatial.mean"), e.getMessage());
    }

    // ---------------------------------------------------------------- KID

    @Test
    void kidIsNearZeroForTwoHalvesOfOneSetAndPositiveForShiftedSets() {
        int d = 16;
        FeatureMatrix all = correlated(new Rng(11), 2000, d);
        FeatureMatrix a = all.slice(0, 1000);
        FeatureMatrix b = all.slice(1000, 2000);
        Kid.Result same = Kid.compute(a, b, 20, 400, new Rng(1), manager);
        assertTrue(Math.abs(same.mean()) < Math.max(2 * same.std(), 1e-3), same.toString());

        float[] shifted = b.data().clone();
        for (int k = 0; k < shifted.length; k++) {
            shifted[k] += 0.5f;
        }
        Kid.Result moved = Kid.compute(a, new FeatureMatrix(1000, d, shifted), 20, 400, new Rng(1), manager);
        assertTrue(moved.mean() > 10 * Math.max(same.std(), moved.std()) && moved.mean() > 0.01, moved.toString());
    }

    @Test
    void kidOfIdenticalSubsetsMatchesHandComputedEstimator() {
        // m = 2, d = 1: k(x,y) = (xy+1)^3. x = {0, 1}, y = {1, 2}:
        // kxx off-diagonal 2·1, kyy off-diagonal 2·27, kxy = 1+1+8+27 → (2+54)/2 − 2·37/4 = 9.5
        FeatureMatrix x = FeatureMatrix.of(new float[][] {{0}, {1}});
        FeatureMatrix y = FeatureMatrix.of(new float[][] {{1}, {2}});
        Kid.Result r = Kid.compute(x, y, 3, 2, new Rng(0), manager);
        assertEquals(9.5, r.mean(), 1e-9);
        assertEquals(0.0, r.std(), 1e-12);
    }

    // ---------------------------------------------------------------- Inception Score

    @Test
    void inceptionScoreOfConfidentBalancedPredictionsIsTheClassCount() {
        int c = 10;
        int n = 1000;
        float[] p = new float[n * c];
        for (int i = 0; i < n; i++) {
            p[i * c + i % c] = 1f;
        }
        InceptionScore.Result r = InceptionScore.compute(p, c);
        assertEquals(c, r.mean(), 1e-9);
        assertEquals(0, r.std(), 1e-9);
    }

    @Test
    void inceptionScoreOfIdenticalPredictionsIsOne() {
        int c = 4;
        int n = 100;
        float[] p = new float[n * c];
        for (int i = 0; i < n; i++) {
            System.arraycopy(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 0, p, i * c, c);
        }
        InceptionScore.Result r = InceptionScore.compute(p, n, c, 10);
        assertEquals(1.0, r.mean(), 1e-9);
        assertEquals(0.0, r.std(), 1e-9);
    }

    // ---------------------------------------------------------------- precision / recall

    @Test
    void precisionAndRecallOfIdenticalSetsAreOne() {
        FeatureMatrix f = correlated(new Rng(13), 1500, 16);
        PrecisionRecall.Result r = PrecisionRecall.compute(f, f, manager);
        assertEquals(1.0, r.precision());
        assertEquals(1.0, r.recall());
    }

    @Test
    void precisionDropsWhenGeneratedPointsMoveAway() {
        int d = 8;
        FeatureMatrix real = gaussian(new Rng(17), 1200, d, new double[d], ones(d));
        FeatureMatrix fake = gaussian(new Rng(18), 1200, d, new double[d], ones(d));
        // Two finite samples of one Gaussian already score below 1 (k = 3 balls leave gaps in d = 8).
        PrecisionRecall.Result base = PrecisionRecall.compute(real, fake, manager);
        assertTrue(base.precision() > 0.8 && base.recall() > 0.8, base.toString());
        float[] moved = fake.data().clone();
        for (int i = 0; i < 600; i++) {
            moved[i * d] += 50f; // half of the generated set far off the real manifold
        }
        PrecisionRecall.Result r = PrecisionRecall.compute(real, new FeatureMatrix(1200, d, moved), manager);
        assertEquals(0.5 * base.precision(), r.precision(), 0.05, r + " vs " + base);
        assertTrue(r.recall() > 0.7, r.toString());
    }

    @Test
    void recallDropsWhenAClusterIsMissing() {
        int d = 8;
        double[] left = new double[d];
        double[] right = new double[d];
        left[0] = -20;
        right[0] = 20;
        Rng rng = new Rng(19);
        FeatureMatrix real = FeatureMatrix.concat(gaussian(rng, 700, d, left, ones(d)), gaussian(rng, 700, d, right, ones(d)));
        FeatureMatrix both = FeatureMatrix.concat(gaussian(rng, 700, d, left, ones(d)), gaussian(rng, 700, d, right, ones(d)));
        FeatureMatrix leftOnly = gaussian(rng, 1400, d, left, ones(d));
        PrecisionRecall.Result base = PrecisionRecall.compute(real, both, manager);
        PrecisionRecall.Result r = PrecisionRecall.compute(real, leftOnly, manager);
        assertEquals(0.5 * base.recall(), r.recall(), 0.05, r + " vs " + base);
        assertEquals(base.precision(), r.precision(), 0.05, r + " vs " + base);
    }

    // ---------------------------------------------------------------- Vendi

    @Test
    void vendiOfIdenticalVectorsIsOne() {
        float[] v = {0.3f, -1f, 2f, 0.5f};
        float[][] few = new float[3][]; // n ≤ d: n×n form
        float[][] many = new float[40][]; // n > d: d×d form
        java.util.Arrays.fill(few, v);
        java.util.Arrays.fill(many, v);
        assertEquals(1.0, Vendi.score(FeatureMatrix.of(few), manager), 1e-6);
        assertEquals(1.0, Vendi.score(FeatureMatrix.of(many), manager), 1e-6);
    }

    @Test
    void vendiOfOrthogonalVectorsIsTheirCount() {
        int d = 6;
        float[][] basis = new float[5][d]; // n ≤ d
        for (int i = 0; i < 5; i++) {
            basis[i][i] = 1 + i; // lengths differ: the cosine kernel normalises them away
        }
        assertEquals(5.0, Vendi.score(FeatureMatrix.of(basis), manager), 1e-6);
        float[][] repeated = new float[4 * d][d]; // n > d: each of d orthogonal directions four times
        for (int i = 0; i < repeated.length; i++) {
            repeated[i][i % d] = -2f;
        }
        assertEquals(d, Vendi.score(FeatureMatrix.of(repeated), manager), 1e-6);
    }

    // ---------------------------------------------------------------- user errors and native memory

    @Test
    void invalidInputIsAOneLineUserError() {
        FeatureMatrix a = correlated(new Rng(1), 50, 4);
        FeatureMatrix b = correlated(new Rng(2), 50, 5);
        FeatureMatrix empty = new FeatureMatrix(0, 4, new float[0]);
        GaussianStats sa = GaussianStats.of(a, manager);
        GaussianStats sb = GaussianStats.of(b, manager);
        assertOneLine(assertThrows(InvalidInputException.class, () -> sa.frechetDistance(sb)), "dimension");
        assertOneLine(assertThrows(InvalidInputException.class, () -> GaussianStats.of(empty, manager)), "at least 2");
        assertOneLine(assertThrows(InvalidInputException.class, () -> Kid.compute(a, b, manager)), "dimension");
        assertOneLine(assertThrows(InvalidInputException.class, () -> Kid.compute(a, empty, manager)), "at least 2");
        assertOneLine(assertThrows(InvalidInputException.class, () -> PrecisionRecall.compute(a, b, manager)), "dimension");
        assertOneLine(assertThrows(InvalidInputException.class, () -> PrecisionRecall.compute(empty, a, manager)), "at least 4");
        assertOneLine(assertThrows(InvalidInputException.class, () -> Vendi.score(empty, manager)), "at least 1");
        // Blank feature vectors are one point of their own, not an error: {x, 0, 0} is two distinct items, equally weighted 1:2.
        double withBlanks = Vendi.score(FeatureMatrix.of(new float[][] {{1, 0}, {0, 0}, {0, 0}}), manager);
        assertEquals(Math.exp(-(1 / 3.0) * Math.log(1 / 3.0) - (2 / 3.0) * Math.log(2 / 3.0)), withBlanks, 1e-6);
        assertOneLine(assertThrows(InvalidInputException.class,
                () -> InceptionScore.compute(new float[] {2f, -1f, 0.5f, 0.5f}, 2, 1)), "logits");
        assertOneLine(assertThrows(InvalidInputException.class, () -> InceptionScore.compute(new float[] {1f, 0f}, 2, 10)), "splits");
        float[] nan = a.data().clone();
        nan[7] = Float.NaN;
        assertOneLine(assertThrows(InvalidInputException.class,
                () -> GaussianStats.of(new FeatureMatrix(50, 4, nan), manager)), "NaN");
    }

    @Test
    void metricsFreeEveryNativeArrayTheyCreate() {
        FeatureMatrix a = correlated(new Rng(21), 300, 8);
        FeatureMatrix b = correlated(new Rng(22), 300, 8);
        int before = manager.getManagedArrays().size();
        GaussianStats.of(a, manager);
        Kid.compute(a, b, 3, 100, new Rng(0), manager);
        PrecisionRecall.compute(a, b, manager);
        Vendi.score(a, manager);
        assertEquals(before, manager.getManagedArrays().size());
    }

    /** Timing at the sizes of a real evaluation; {@code mvn -o -q test -Dtest=MetricsTest -Ddlc4j.bench=true}. */
    @Test
    @EnabledIfSystemProperty(named = "dlc4j.bench", matches = "true")
    void benchmarkAtEvaluationSizes() {
        FeatureMatrix real = correlated(new Rng(31), 10_000, 256);
        FeatureMatrix fake = correlated(new Rng(32), 10_000, 256);
        PrecisionRecall.compute(real.slice(0, 2000), fake.slice(0, 2000), manager); // warm-up
        long t0 = System.nanoTime();
        PrecisionRecall.Result pr = PrecisionRecall.compute(real, fake, manager);
        long t1 = System.nanoTime();
        System.out.printf("precision/recall 10k×10k d=256: %.2f s %s%n", (t1 - t0) / 1e9, pr);

        FeatureMatrix f784a = correlated(new Rng(33), 10_000, 784);
        FeatureMatrix f784b = correlated(new Rng(34), 10_000, 784);
        long t2 = System.nanoTime();
        GaussianStats sa = GaussianStats.of(f784a, manager);
        long t3 = System.nanoTime();
        GaussianStats sb = GaussianStats.of(f784b, manager);
        long t4 = System.nanoTime();
        double fd = sa.frechetDistance(sb);
        long t5 = System.nanoTime();
        System.out.printf("stats 10k×784: %.2f s, %.2f s; FD d=784: %.2f s (FD %.4f)%n",
                (t3 - t2) / 1e9, (t4 - t3) / 1e9, (t5 - t4) / 1e9, fd);

        long t6 = System.nanoTime();
        Kid.Result kid = Kid.compute(real, fake, manager);
        long t7 = System.nanoTime();
        System.out.printf("KID 100×1000 d=256: %.2f s %s%n", (t7 - t6) / 1e9, kid);
        long t8 = System.nanoTime();
        double vs = Vendi.score(f784a, manager);
        long t9 = System.nanoTime();
        System.out.printf("Vendi 10k×784: %.2f s (%.3f)%n", (t9 - t8) / 1e9, vs);
    }

    // ---------------------------------------------------------------- helpers

    private static void assertOneLine(InvalidInputException e, String mentions) {
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains(":"), e.getMessage());
    }

    private static double[] diag(double[] std) {
        int d = std.length;
        double[] c = new double[d * d];
        for (int i = 0; i < d; i++) {
            c[i * d + i] = std[i] * std[i];
        }
        return c;
    }

    private static double[] gramPlusRidge(double[] a, int d, double ridge) {
        double[] c = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = i == j ? ridge : 0;
                for (int k = 0; k < d; k++) {
                    s += a[i * d + k] * a[j * d + k];
                }
                c[i * d + j] = s;
            }
        }
        return c;
    }

    private static double[] ones(int d) {
        double[] o = new double[d];
        java.util.Arrays.fill(o, 1);
        return o;
    }

    /** Rows mean + scale ⊙ z with z standard normal. */
    private static FeatureMatrix gaussian(Rng rng, int n, int d, double[] mean, double[] scale) {
        float[] z = rng.gaussians(n * d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i * d + j] = (float) (mean[j] + scale[j] * z[i * d + j]);
            }
        }
        return new FeatureMatrix(n, d, z);
    }

    /** Applies the Householder reflection I − 2vvᵀ/|v|² to every row. */
    private static FeatureMatrix rotated(FeatureMatrix f, double[] v) {
        int d = f.dim();
        double vv = 0;
        for (double x : v) {
            vv += x * x;
        }
        float[] out = new float[f.data().length];
        for (int i = 0; i < f.rows(); i++) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
                dot += v[j] * f.data()[i * d + j];
            }
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (float) (f.data()[i * d + j] - 2 * dot / vv * v[j]);
            }
        }
        return new FeatureMatrix(f.rows(), d, out);
    }

    /** Gaussian rows with correlated features and a non-zero mean (x_j = z_j + 0.5 z_{j-1} + 1). */
    private static FeatureMatrix correlated(Rng rng, int n, int d) {
        float[] z = rng.gaussians(n * d);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = z[i * d + j] + (j > 0 ? 0.5f * z[i * d + j - 1] : 0f) + 1f;
            }
        }
        return new FeatureMatrix(n, d, x);
    }
}
