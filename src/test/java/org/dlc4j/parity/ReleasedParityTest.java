package org.dlc4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.util.List;
import org.dlc4j.diffusion.discrete.Absorbing;
import org.dlc4j.diffusion.discrete.LogLinearNoise;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.DitTraining;
import org.dlc4j.hub.HubConfig;
import org.dlc4j.hub.HubLoader;
import org.dlc4j.hub.ReleasedKind;
import org.dlc4j.nn.Params;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * dlc4j at the released configurations against the authors' modules (parity/released_goldens.py): DiT-XL/2 with the
 * per-position code table over 512 positions, SEDD-medium over codes of 512 × 256, and DINOv2 ViT-L/14 with registers
 * and the SEM head of L 512 × V 256, each cut to two blocks. The weights are recomputed from parity/hashed.py and
 * loaded under the reference's names through the importer ({@link HubLoader}), sizes read by {@link HubConfig}.
 */
class ReleasedParityTest {
    /** The goldens keep every eighth position of [B, 512, ·] outputs. */
    private static final int EVERY = 8;
    private static final double TOL = 1e-4;

    @Test
    void ditXl2ForwardGuidanceAndOneSamplingStepAreTheReferences() {
        Golden g = Golden.load("released-dit-xl2");
        HashedSource weights = HashedSource.of("released-dit-xl2");
        JsonObject json = new JsonObject();
        json.addProperty("num_heads", 16);
        json.addProperty("input_size", 32);
        DiT.Config c = new HubConfig("config.json", json, weights::shape, weights.names()).dit();
        assertEquals(List.of(32, 4, 2, 1152, 2, 16, 512, 256), List.of(c.image(), c.channels(), c.patch(), c.dim(), c.depth(), c.heads(),
                c.length(), c.vocab()));
        try (NDManager m = NDManager.newBaseManager(); Params p = Params.forLoading(m)) {
            DiT model = new DiT(p, c, new Rng(0));
            HubLoader.load(p, ReleasedKind.DIT, weights);
            int[] y = g.ints("input.y");
            int[] t = g.ints("input.t");
            NDArray xt = m.create(HashedWeights.values("input.xt", 2 * 4 * 32 * 32, Math.sqrt(3), 0), new Shape(2, 4, 32, 32));
            Condition oneNull = Condition.codes(y, 512).dropping(new boolean[] {false, true});
            g.assertOutput("forward", model.forward(xt, t, oneNull), TOL);
            double scale = g.scalar("input.cfg");
            Condition codes = Condition.codes(y, 512);
            g.assertOutput("cfg", DitSampling.denoiser(model, codes, scale, Integer.MAX_VALUE).apply(xt, t), TOL);
            var sampler = SamplerConfig.ddpm(g.ints("input.steps")[0]).build(DitTraining.diffusion(c));
            NDArray noise = g.array(m, "input.step_noise");
            g.assertOutput("step", sampler.step(DitSampling.denoiser(model, codes, scale, Integer.MAX_VALUE), xt, g.ints("input.step")[0],
                    () -> noise), TOL);
        }
    }

    @Test
    void seddMediumLogScoreAndOneAnalyticStepAreTheReferences() {
        Golden g = Golden.load("released-sedd-m");
        HashedSource weights = HashedSource.of("released-sedd-m");
        JsonObject json = new JsonObject();
        json.addProperty("n_heads", 16);
        json.addProperty("dropout", 0.0);
        Sedd.Config c = new HubConfig("config.json", json, weights::shape, weights.names()).prior();
        assertEquals(List.of(512, 256, 1024, 2, 16, 128), List.of(c.length(), c.vocab(), c.dim(), c.depth(), c.heads(), c.condDim()));
        try (NDManager m = NDManager.newBaseManager(); Params p = Params.forLoading(m)) {
            Sedd model = new Sedd(p, c, new Rng(0));
            HubLoader.load(p, ReleasedKind.PRIOR, weights);
            float[] sigma = g.floats("input.sigma");
            NDArray score = model.forward(m, g.ints("input.tokens"), new double[] {sigma[0], sigma[1]}, null);
            g.assertOutput("log_score", score.get(":, ::" + EVERY + ", :"), TOL);

            int k = 257;
            int[] x = g.ints("input.x");
            double[] u = new double[x.length * k];
            float[] uf = new float[u.length];
            HashedWeights.fill("input.analytic_uniforms", 0.5, 0.5, 0, uf); // u = 0.5 + 0.5·(2u − 1): the bare uniforms
            Replay replay = new Replay(uf, x.length, k);
            var config = new PriorSampler.Config(PriorSampler.Predictor.ANALYTIC, 64, 0, 0.3, 0.55, true, 1e-5);
            PriorSampler.step(TrainedPrior.scores(model, m), new Absorbing(256), LogLinearNoise.SEDD, x, 1, g.floats("input.t")[0],
                    g.floats("input.dt")[0], config, replay);
            float[] kept = new float[x.length / EVERY * k];
            for (int pos = 0; pos < x.length; pos += EVERY) {
                System.arraycopy(replay.weights, pos * k, kept, pos / EVERY * k, k);
            }
            g.assertClose("output.analytic.probs", g.floats("output.analytic.probs"), kept, TOL);
            assertArrayEquals(g.ints("output.analytic.tokens"), x, "tokens drawn");
        }
    }

    @Test
    void dinov2VitL14WithTheSemHeadEncodesAsTheReference() {
        Golden g = Golden.load("released-sem-vitl14");
        HashedSource weights = HashedSource.of("released-sem-vitl14");
        JsonObject json = new JsonObject();
        json.addProperty("L", 512);
        SemEncoder.Config c = new HubConfig("config.json", json, weights::shape, weights.names()).encoder();
        assertEquals(SemEncoder.Config.dinov2L14(2, 512, 256), c);
        try (NDManager m = NDManager.newBaseManager(); Params p = Params.forLoading(m)) {
            SemEncoder model = new SemEncoder(p, c, new Rng(0));
            HubLoader.load(p, ReleasedKind.ENCODER, weights);
            NDArray x = m.create(HashedWeights.values("input.x", 2 * 3 * 224 * 224, 2.0, 0), new Shape(2, 3, 224, 224));
            SemEncoder.Output o = model.forward(x, 1.0);
            assertArrayEquals(g.ints("output.codes"), o.logits().argMax(-1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray(),
                    "the codes");
            g.assertOutput("logits", o.logits().get(":, ::" + EVERY + ", :"), TOL);
            g.assertOutput("cls", o.cls(), TOL);
            g.assertOutput("backbone_cls", o.backboneCls(), TOL);
            g.assertOutput("patches", o.patches().get(":, :4, :"), TOL);
        }
    }
}
