package org.dlc4j.diffusion.gaussian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The diffusion maths against closed forms. */
class GaussianDiffusionTest {
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static GaussianDiffusion linear(boolean learnSigma) {
        return new GaussianDiffusion(new DiffusionConfig(BetaSchedule.LINEAR, 1000, learnSigma, false, 1, DiffusionConfig.Decoder.DISCRETIZED_8BIT));
    }

    @Test
    void schedulesMatchTheirDefinitions() {
        double[] lin = BetaSchedule.LINEAR.betas(1000);
        assertEquals(1e-4, lin[0], 1e-12);
        assertEquals(0.02, lin[999], 1e-12);
        double[] cos = BetaSchedule.COSINE.betas(1000);
        // ᾱ_t = f(t)/f(0) with f(t) = cos²((t/T + s)/(1 + s)·π/2): check the product telescopes to it.
        double prod = 1;
        for (int i = 0; i < 500; i++) {
            prod *= 1 - cos[i];
        }
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        double f500 = Math.pow(Math.cos((0.5 + 0.008) / 1.008 * Math.PI / 2), 2);
        assertEquals(f500 / f0, prod, 1e-9);
        assertEquals(0.999, cos[999], 1e-12);
    }

    @Test
    void qSampleHasTheClosedFormMoments() {
        GaussianDiffusion d = linear(false);
        int n = 40_000;
        int t = 300;
        double x0v = 0.7;
        Rng rng = new Rng(3);
        NDArray x0 = manager.full(new Shape(n, 1), (float) x0v);
        NDArray noise = manager.create(rng.gaussians(n), new Shape(n, 1));
        float[] xt = d.qSample(x0, GaussianSampler.fill(n, t), noise).toFloatArray();
        double ab = d.alphaCumprod(t);
        double mean = Arrays.stream(toDouble(xt)).average().orElseThrow();
        double var = Arrays.stream(toDouble(xt)).map(v -> (v - mean) * (v - mean)).sum() / (n - 1);
        assertEquals(Math.sqrt(ab) * x0v, mean, 0.01);
        assertEquals(1 - ab, var, 0.02 * (1 - ab));
        var mv = d.qMeanVariance(manager.create(new float[] {(float) x0v}, new Shape(1, 1)), new int[] {t});
        assertEquals(Math.sqrt(ab) * x0v, mv.mean().getFloat(0, 0), 1e-6);
        assertEquals(1 - ab, mv.variance().getFloat(0, 0), 1e-6);
    }

    @Test
    void posteriorMatchesBayesRule() {
        GaussianDiffusion d = linear(false);
        for (int t : new int[] {1, 10, 500, 999}) {
            double x0 = -0.3;
            double xt = 0.9;
            // Prior x_{t−1} ~ N(√ᾱ_{t−1} x0, 1 − ᾱ_{t−1}); likelihood x_t ~ N(√α_t x_{t−1}, β_t).
            double abPrev = d.alphaCumprodPrev(t);
            double beta = d.beta(t);
            double precision = 1 / (1 - abPrev) + (1 - beta) / beta;
            double var = 1 / precision;
            double mean = var * (Math.sqrt(abPrev) * x0 / (1 - abPrev) + Math.sqrt(1 - beta) * xt / beta);
            var post = d.qPosterior(manager.create(new float[] {(float) x0}, new Shape(1, 1)),
                    manager.create(new float[] {(float) xt}, new Shape(1, 1)), new int[] {t});
            assertEquals(mean, post.mean().getFloat(0, 0), 1e-5, "mean at t=" + t);
            assertEquals(var, post.variance().getFloat(0, 0), 1e-6 * Math.max(1, var * 1e3), "variance at t=" + t);
        }
    }

    @Test
    void normalKlMatchesClosedForm() {
        // KL(N(0,1) ‖ N(1,e)) = ½(−1 + 1 − 0 + e⁻¹ + e⁻¹) = 1/e.
        NDArray kl = GaussianDiffusion.normalKl(manager.create(new float[] {0f}), manager.create(new float[] {0f}),
                manager.create(new float[] {1f}), manager.create(new float[] {1f}));
        assertEquals(1 / Math.E, kl.getFloat(0), 1e-6);
        NDArray same = GaussianDiffusion.normalKl(manager.create(new float[] {0.3f}), manager.create(new float[] {-2f}),
                manager.create(new float[] {0.3f}), manager.create(new float[] {-2f}));
        assertEquals(0, same.getFloat(0), 1e-7);
    }

    @Test
    void discretizedLikelihoodIsANormalisedDistributionOverTheBins() {
        float[] bins = new float[256];
        for (int i = 0; i < 256; i++) {
            bins[i] = i / 127.5f - 1f;
        }
        NDArray x = manager.create(bins);
        for (double[] ms : new double[][] {{0.1, Math.log(0.05)}, {-0.9, Math.log(0.3)}, {0.99, Math.log(0.01)}}) {
            NDArray means = manager.full(new Shape(256), (float) ms[0]);
            NDArray logScales = manager.full(new Shape(256), (float) ms[1]);
            double total = Arrays.stream(toDouble(GaussianDiffusion.discretizedGaussianLogLikelihood(x, means, logScales).exp().toFloatArray())).sum();
            assertEquals(1.0, total, 2e-3, "mass for mean " + ms[0]);
        }
    }

    @Test
    void vlbAtTZeroIsTheDecoderNllAndElsewhereTheKl() {
        GaussianDiffusion d = linear(true);
        NDArray x0 = manager.create(new float[] {0.2f, -0.4f}, new Shape(2, 1));
        NDArray xt = manager.create(new float[] {0.25f, -0.1f}, new Shape(2, 1));
        NDArray out = manager.create(new float[] {0.1f, 0.3f, -0.2f, -0.5f}, new Shape(2, 2));
        float[] vb = d.vbTerms(out, x0, xt, new int[] {0, 400}).toFloatArray();
        var p0 = d.pMeanVariance(out.get("0:1"), xt.get("0:1"), new int[] {0}, false);
        double nll0 = -GaussianDiffusion.discretizedGaussianLogLikelihood(x0.get("0:1"), p0.mean(), p0.logVariance().mul(0.5)).getFloat(0, 0) / Math.log(2);
        assertEquals(nll0, vb[0], 1e-5);
        var q = d.qPosterior(x0.get("1:2"), xt.get("1:2"), new int[] {400});
        var p = d.pMeanVariance(out.get("1:2"), xt.get("1:2"), new int[] {400}, false);
        double kl = GaussianDiffusion.normalKl(q.mean(), q.logVariance(), p.mean(), p.logVariance()).getFloat(0, 0) / Math.log(2);
        assertEquals(kl, vb[1], 1e-6);
    }

    @Test
    void learnedVarianceInterpolatesBetweenPosteriorAndBeta() {
        GaussianDiffusion d = linear(true);
        NDArray xt = manager.create(new float[] {0f, 0f}, new Shape(2, 1));
        int t = 100;
        NDArray vLow = manager.create(new float[] {0f, -1f}, new Shape(1, 2));
        NDArray vHigh = manager.create(new float[] {0f, 1f}, new Shape(1, 2));
        double low = d.pMeanVariance(vLow, xt.get("0:1"), new int[] {t}, false).variance().getFloat(0, 0);
        double high = d.pMeanVariance(vHigh, xt.get("0:1"), new int[] {t}, false).variance().getFloat(0, 0);
        double abPrev = d.alphaCumprodPrev(t);
        double posterior = d.beta(t) * (1 - abPrev) / (1 - d.alphaCumprod(t));
        assertEquals(posterior, low, 1e-6 * 1e3 * posterior);
        assertEquals(d.beta(t), high, 1e-3 * d.beta(t));
    }

    @Test
    void respacingFollowsDiT() {
        int[] s250 = GaussianDiffusion.spaceTimesteps(1000, "250");
        assertEquals(250, s250.length);
        // stride 999/249 ≈ 4.012, Python rounding: 0, 4, 8, 12, 16, 20, … and the last is 999.
        assertArrayEquals(new int[] {0, 4, 8, 12, 16, 20}, Arrays.copyOf(s250, 6));
        assertEquals(999, s250[249]);
        int[] ddim = GaussianDiffusion.spaceTimesteps(1000, "ddim50");
        assertEquals(50, ddim.length);
        assertEquals(980, ddim[49]);
        assertArrayEquals(new int[] {0, 55, 111, 166, 222, 277, 333, 388, 444, 499, 500, 999}, GaussianDiffusion.spaceTimesteps(1000, "10,2"));
        assertThrows(InvalidInputException.class, () -> GaussianDiffusion.spaceTimesteps(1000, "abc"));
        assertThrows(InvalidInputException.class, () -> GaussianDiffusion.spaceTimesteps(10, "20"));
        // ᾱ is preserved at the kept steps.
        GaussianDiffusion d = linear(false);
        GaussianDiffusion r = d.respace("ddim50");
        assertEquals(d.alphaCumprod(980), r.alphaCumprod(49), 1e-12);
        assertEquals(980, r.modelTimestep(49));
    }

    @Test
    void classifierFreeGuidanceCombinesOnlyTheEpsChannels() {
        // A fake model: conditional rows output (1, 1, 5), unconditional rows (0, 3, 7), per (eps0, eps1, var).
        Guidance.PairedDenoiser model = (xx, tt) -> {
            int b = tt.length / 2;
            float[] out = new float[tt.length * 3];
            for (int i = 0; i < tt.length; i++) {
                float[] row = i < b ? new float[] {1, 1, 5} : new float[] {0, 3, 7};
                System.arraycopy(row, 0, out, 3 * i, 3);
            }
            return xx.getManager().create(out, new Shape(tt.length, 3));
        };
        NDArray x = manager.zeros(new Shape(2, 3));
        float[] guided = Guidance.classifierFree(model, 2.0, 2, 500).apply(x, new int[] {100, 100}).toFloatArray();
        // ε_u + 2(ε_c − ε_u) = (2, −1); the variance channel comes from the conditional branch.
        assertArrayEquals(new float[] {2, -1, 5, 2, -1, 5}, guided, 1e-6f);
        float[] cutOff = Guidance.classifierFree(model, 2.0, 2, 500).apply(x, new int[] {900, 900}).toFloatArray();
        assertArrayEquals(new float[] {1, 1, 5, 1, 1, 5}, cutOff, 1e-6f);
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
