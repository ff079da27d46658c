package org.dlc4j.diffusion.discrete;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

/** The absorbing process, the score-entropy loss and the samplers, against closed forms and exact enumeration. */
class PriorMathTest {
    private static final LogLinearNoise NOISE = LogLinearNoise.SEDD;

    @Test
    void forwardCorruptionMasksEachTokenWithProbabilityOneMinusEpsTimesT() {
        Absorbing g = new Absorbing(5);
        Rng rng = new Rng(1);
        int[] clean = rng.ints(200_000, 5);
        for (double t : new double[] {0.1, 0.5, 0.9}) {
            int[] noisy = g.corrupt(clean, NOISE.total(t), rng);
            int masked = 0;
            for (int i = 0; i < clean.length; i++) {
                if (noisy[i] == 5) {
                    masked++;
                } else {
                    assertEquals(clean[i], noisy[i], "a token is either kept or masked");
                }
            }
            // Binomial standard error at n = 2·10⁵ is ≤ 0.0012; 4 of them.
            assertEquals((1 - 1e-3) * t, masked / (double) clean.length, 0.005, "t = " + t);
        }
        assertEquals(-Math.log(1 - 0.999 * 0.4), NOISE.total(0.4), 1e-12);
        assertEquals(0.999 / (1 - 0.999 * 0.4), NOISE.rate(0.4), 1e-12);
    }

    @Test
    void scoreEntropyMatchesTheHandComputedCase() {
        // V = 3, one code of L = 2: position 0 masked (clean token 2), position 1 kept (token 1).
        float[] s = {0.1f, -0.2f, 0.3f, 0f, 5f, 0f, 9f, 0f};
        double sigma = 0.7;
        double r = 1 / (Math.exp(sigma) - 1);
        double expected0 = Math.exp(0.1) + Math.exp(-0.2) + Math.exp(0.3) - r * 0.3 + r * (Math.log(r) - 1);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = new Absorbing(3).scoreEntropy(m.create(s, new Shape(1, 2, 4)), new int[] {3, 1}, new int[] {2, 1}, new double[] {sigma})
                    .toFloatArray();
            assertEquals(expected0, got[0], 1e-5);
            assertEquals(0, got[1], 0, "unmasked positions carry no loss");
            // At the true score, exp(s_y) = r·[y = x₀], the loss vanishes (−∞ approximated by −40).
            float lr = (float) Math.log(r);
            float[] truth = {-40f, -40f, lr, 0f, 0f, 0f, 0f, 0f};
            float[] zero = new Absorbing(3).scoreEntropy(m.create(truth, new Shape(1, 2, 4)), new int[] {3, 1}, new int[] {2, 1},
                    new double[] {sigma}).toFloatArray();
            assertEquals(0, zero[0], 1e-5);
        }
    }

    /** A correlated distribution over codes of L = 2, V = 3: p(a, b) over the 9 codes, row-major. */
    private static final double[] P = {0.30, 0.02, 0.01, 0.02, 0.25, 0.02, 0.01, 0.02, 0.35};

    /** The true concrete score of every position of a batch under {@link #P}, exponentiated, as a model would give it. */
    private static float[] oracle(int[] x, int count, double sigma) {
        float[] out = new float[count * 2 * 4];
        for (int c = 0; c < count; c++) {
            for (int i = 0; i < 2; i++) {
                int other = x[c * 2 + 1 - i];
                double[] cond = new double[3];
                double z = 0;
                for (int y = 0; y < 3; y++) {
                    for (int o = 0; o < 3; o++) {
                        if (other != 3 && o != other) {
                            continue;
                        }
                        double p = i == 0 ? P[y * 3 + o] : P[o * 3 + y];
                        cond[y] += p;
                        z += p;
                    }
                }
                for (int y = 0; y < 3; y++) {
                    out[(c * 2 + i) * 4 + y] = (float) (cond[y] / z / Math.expm1(sigma));
                }
                out[(c * 2 + i) * 4 + 3] = 1;
            }
        }
        return out;
    }

    @Test
    void theAnalyticStepGivesEachPositionItsExactReverseMarginal() {
        Absorbing g = new Absorbing(3);
        double t = 0.8;
        double s = 0.45;
        double unmask = (NOISE.maskProbability(t) - NOISE.maskProbability(s)) / NOISE.maskProbability(t);
        // Every x_t with position 0 masked: [mask, mask] and [mask, b].
        for (int other = 0; other <= 3; other++) {
            int[] x = {3, other};
            float[] score = oracle(x, 1, NOISE.total(t));
            double[] w = new double[4];
            g.reverseStep(score, 0, 3, Math.expm1(NOISE.total(t) - NOISE.total(s)), w);
            // Exact, by enumerating the clean codes consistent with x_t.
            double[] exact = new double[4];
            double z = 0;
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    if (other == 3 || b == other) {
                        exact[a] += P[a * 3 + b] * unmask;
                        exact[3] += P[a * 3 + b] * (1 - unmask);
                        z += P[a * 3 + b];
                    }
                }
            }
            for (int k = 0; k < 4; k++) {
                assertEquals(exact[k] / z, w[k], 1e-6, "x_t = [mask, " + other + "], state " + k);
            }
        }
        double[] kept = new double[4];
        g.reverseStep(oracle(new int[] {1, 3}, 1, 1.0), 0, 1, 0.5, kept);
        assertArrayEquals(new double[] {0, 1, 0, 0}, kept, 0, "an unmasked token stays");
    }

    private static double tvToP(int[] codes) {
        double[] freq = new double[9];
        for (int c = 0; c < codes.length / 2; c++) {
            assertTrue(codes[2 * c] < 3 && codes[2 * c + 1] < 3, "no mask survives the denoising step");
            freq[codes[2 * c] * 3 + codes[2 * c + 1]] += 2.0 / codes.length;
        }
        double tv = 0;
        for (int k = 0; k < 9; k++) {
            tv += Math.abs(freq[k] - P[k]) / 2;
        }
        return tv;
    }

    @Test
    void withTheTrueScoreTheSamplersDrawTheDataDistribution() {
        Absorbing g = new Absorbing(3);
        int n = 20_000;
        for (var predictor : PriorSampler.Predictor.values()) {
            var c = PriorSampler.Config.of(predictor, 64, predictor == PriorSampler.Predictor.REMASK ? 0.05 : 0);
            double tv = tvToP(PriorSampler.sample(PriorMathTest::oracle, g, NOISE, 2, n, c, new Rng(3)));
            assertTrue(tv < 0.02, predictor + ": total variation " + tv);
        }
        // One step unmasks both positions at once from their marginals: the correlation is lost, and this test sees it.
        double oneStep = tvToP(PriorSampler.sample(PriorMathTest::oracle, g, NOISE, 2, n, PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, 1, 0), new Rng(3)));
        assertTrue(oneStep > 0.3, "one step: total variation " + oneStep);
    }

    @Test
    void remaskingWithEtaZeroIsThePlainAnalyticSampler() {
        Absorbing g = new Absorbing(3);
        int[] plain = PriorSampler.sample(PriorMathTest::oracle, g, NOISE, 2, 500, PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, 20, 0), new Rng(9));
        int[] eta0 = PriorSampler.sample(PriorMathTest::oracle, g, NOISE, 2, 500, PriorSampler.Config.of(PriorSampler.Predictor.REMASK, 20, 0), new Rng(9));
        int[] eta = PriorSampler.sample(PriorMathTest::oracle, g, NOISE, 2, 500, PriorSampler.Config.of(PriorSampler.Predictor.REMASK, 20, 0.5), new Rng(9));
        assertArrayEquals(plain, eta0);
        assertNotEquals(java.util.Arrays.toString(plain), java.util.Arrays.toString(eta));
    }

    @Test
    void remaskingMovesWeightFromTheLikeliestStateToTheMask() {
        double[] decoded = {0, 1, 0, 0};
        PriorSampler.renoise(decoded, 3, 0.1);
        assertArrayEquals(new double[] {0, 0.9, 0, 0.1}, decoded, 1e-12, "a decoded token is masked again with probability η");
        double[] waiting = {0.1, 0.05, 0.05, 0.8};
        PriorSampler.renoise(waiting, 3, 0.5);
        assertArrayEquals(new double[] {0.1, 0.05, 0.05, 0.9}, waiting, 1e-12, "a masked position leans towards staying masked");
    }

    @Test
    void samplerSettingsOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> PriorSampler.Config.of(PriorSampler.Predictor.REMASK, 10, 1.5));
        assertThrows(IllegalArgumentException.class, () -> PriorSampler.Config.of(PriorSampler.Predictor.REMASK, 10, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new PriorSampler.Config(PriorSampler.Predictor.REMASK, 10, 0.1, 0.6, 0.5, true, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> PriorSampler.Predictor.parse("gibbs"));
    }
}
