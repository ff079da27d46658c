package org.dlc4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Locale;
import org.dlc4j.diffusion.discrete.Absorbing;
import org.dlc4j.diffusion.discrete.LogLinearNoise;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.nn.Params;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.SeddTraining;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * dlc4j's SEDD prior against the authors' PyTorch code (parity/sedd_goldens.py): the DDiT forward, the score-entropy
 * loss with every parameter's gradient, and one step of each sampler, at width 64, 2 blocks, 2 heads, cond 64, L 8, V 16.
 */
class SeddParityTest {
    private static final int LENGTH = 8;
    private static final int VOCAB = 16;
    private static final int STEPS = 8;
    private static final double EPS = 1e-5;

    /** The golden's configuration: SEDD-T's shape scaled down, dropout off. */
    private static Sedd.Config config() {
        return new Sedd.Config("parity", LENGTH, VOCAB, 64, 2, 2, 64, 4.0, 0.0);
    }

    @Test
    void theDdItForwardIsTheReferenceLogScore() {
        Golden g = Golden.load("sedd-ddit");
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            Sedd model = new Sedd(p, config(), new Rng(0));
            g.loadInto(p);
            g.assertOutput("log_score", model.forward(m, g.ints("input.tokens"), doubles(g.floats("input.sigma")), null));
            report(g);
        }
    }

    @Test
    void corruptionScoreEntropyLossAndEveryGradientAreTheReferences() {
        Golden g = Golden.load("sedd-ddit");
        Absorbing graph = new Absorbing(VOCAB);
        LogLinearNoise noise = LogLinearNoise.SEDD;
        int[] clean = g.ints("input.clean");
        double[] t = doubles(g.floats("input.t"));
        // Their sample_transition's uniforms, replayed through dlc4j's corruption rule.
        float[] u = g.floats("input.mask_uniforms");
        int[] next = {0};
        int[] noisy = new int[clean.length];
        for (int i = 0; i < t.length; i++) {
            int[] one = graph.corrupt(Arrays.copyOfRange(clean, i * LENGTH, (i + 1) * LENGTH), noise.total(t[i]), () -> u[next[0]++]);
            System.arraycopy(one, 0, noisy, i * LENGTH, LENGTH);
        }
        assertArrayEquals(g.ints("output.noisy"), noisy, "masked positions");
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            Sedd model = new Sedd(p, config(), new Rng(0));
            g.loadInto(p);
            g.assertOutput("sequence_loss", SeddTraining.sequenceLoss(model, graph, noise, m, clean, noisy, t, null));
            g.assertLossAndGradients(p, "loss", () -> SeddTraining.sequenceLoss(model, graph, noise, m, clean, noisy, t, null).mean());
            report(g);
        }
    }

    @Test
    void eulerAnalyticRemaskingAndDenoisingStepsAreTheReferences() {
        Golden weights = Golden.load("sedd-ddit");
        Golden g = Golden.load("sedd-steps");
        Absorbing graph = new Absorbing(VOCAB);
        LogLinearNoise noise = LogLinearNoise.SEDD;
        double dt = (1 - EPS) / STEPS;
        assertEquals(g.scalar("input.dt"), dt, 1e-7, "the grid's step");
        double t = g.floats("input.t")[0];
        double eta = g.scalar("input.eta");
        double t0 = g.scalar("input.t0");
        double t1 = g.scalar("input.t1");
        assertEquals(EPS, g.floats("input.t_last")[0], 1e-12, "the denoising step's time");
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            Sedd model = new Sedd(p, config(), new Rng(0));
            weights.loadInto(p);
            PriorSampler.ScoreFn scores = TrainedPrior.scores(model, m);
            for (String name : new String[] {"euler", "analytic", "remask", "denoise"}) {
                var predictor = name.equals("denoise") ? PriorSampler.Predictor.ANALYTIC : PriorSampler.Predictor.parse(name);
                var c = new PriorSampler.Config(predictor, STEPS, eta, t0, t1, true, EPS);
                int[] x = g.ints("input.x");
                int k = name.equals("denoise") ? VOCAB : VOCAB + 1;
                Replay replay = new Replay(g.floats("input." + name + ".uniforms"), x.length, k);
                if (name.equals("denoise")) {
                    PriorSampler.denoise(scores, graph, noise, x, 2, c, replay);
                } else {
                    PriorSampler.step(scores, graph, noise, x, 2, t, dt, c, replay);
                }
                g.assertClose("output." + name + ".probs", g.floats("output." + name + ".probs"), replay.weights, Golden.OUTPUT_TOL);
                assertArrayEquals(g.ints("output." + name + ".tokens"), x, name + ": tokens");
            }
            report(g);
        }
    }

    private static double[] doubles(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /** The observed relative errors, for parity/README.md. */
    private static void report(Golden g) {
        double grads = g.observed().entrySet().stream().filter(e -> e.getKey().startsWith("grad.")).mapToDouble(e -> e.getValue()).max().orElse(0);
        g.observed().forEach((k, v) -> {
            if (!k.startsWith("grad.")) {
                System.out.printf(Locale.ROOT, "parity %s %s: max rel error %.2e%n", g.name(), k, v);
            }
        });
        if (grads > 0) {
            System.out.printf(Locale.ROOT, "parity %s grad.* (%d): max rel error %.2e%n", g.name(),
                    g.observed().keySet().stream().filter(k -> k.startsWith("grad.")).count(), grads);
        }
    }
}
