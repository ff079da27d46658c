package org.dlc4j.dit;

import org.dlc4j.diffusion.gaussian.Guidance;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.nn.AdaLnBlock;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

class DiTTest {
    @Test
    void adaLnZeroStartsAsTheIdentityAndTheModelOutputsZero() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            AdaLnBlock block = new AdaLnBlock(p, "b", 16, 2, 4.0, new Rng(1));
            NDArray x = m.create(new Rng(2).gaussians(3 * 5 * 16), new Shape(3, 5, 16));
            NDArray c = m.create(new Rng(3).gaussians(3 * 16), new Shape(3, 16));
            assertArrayEquals(x.toFloatArray(), block.forward(x, c).toFloatArray(), 0f);

            var config = DiT.Config.preset("tiny").conditionedOn(Conditioning.DLC, 0, 4, 8, 0);
            DiT dit = new DiT(p, config, new Rng(4));
            NDArray img = m.create(new Rng(5).gaussians(2 * 32 * 32), new Shape(2, 1, 32, 32));
            NDArray out = dit.forward(img, new int[] {0, 999}, Condition.codes(new int[] {0, 1, 2, 3, 7, 6, 5, 4}, 4));
            assertArrayEquals(new long[] {2, 2, 32, 32}, out.getShape().getShape(), "ε and v channels");
            assertEquals(0f, out.abs().max().getFloat(), "the zero-initialised final layer outputs 0");
        }
    }

    @Test
    void positionsAreMaesTwoDimensionalSinCosAndGeluIsTheTanhForm() {
        float[] pos = org.dlc4j.nn.Layers.sinCos2d(8, 2);
        // Token 1 is row 0, column 1: ω = (1, 1/100); the first half embeds the column, the second the row.
        float[] token1 = java.util.Arrays.copyOfRange(pos, 8, 16);
        assertArrayEquals(new float[] {(float) Math.sin(1), (float) Math.sin(0.01), (float) Math.cos(1), (float) Math.cos(0.01), 0, 0, 1, 1},
                token1, 1e-6f);
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(0.841192, org.dlc4j.nn.Layers.geluTanh(m.create(new float[] {1f})).getFloat(0), 1e-5);
            // the sigmoid form is the tanh formula itself, far into both tails too
            float[] xs = {-12f, -3f, -0.5f, 0f, 0.25f, 2f, 9f};
            float[] got = org.dlc4j.nn.Layers.geluTanh(m.create(xs)).toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                double x = xs[i];
                double want = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
                assertEquals(want, got[i], 1e-6, "x = " + x);
            }
        }
    }

    @Test
    void patchifyAndUnpatchifyAreInverse() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new Rng(1).gaussians(2 * 3 * 8 * 8), new Shape(2, 3, 8, 8));
            NDArray tokens = DiT.patchify(x, 4);
            assertArrayEquals(new long[] {2, 4, 48}, tokens.getShape().getShape());
            assertArrayEquals(x.toFloatArray(), DiT.unpatchify(tokens, 4, 3).toFloatArray(), 0f);
            // Token 1 is the top-right patch; its first entry is pixel (0, 4) of channel 0.
            assertEquals(x.getFloat(0, 0, 0, 4), tokens.getFloat(0, 1, 0));
        }
    }

    @Test
    void theDlcEmbedderAveragesPositionEmbeddingsAndHasANullCode() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            int l = 3;
            int v = 4;
            var config = DiT.Config.preset("tiny").conditionedOn(Conditioning.DLC, 0, l, v, 0);
            var emb = (ConditionEmbedder.Codes) ConditionEmbedder.create(p, config, new Rng(1));
            float[] table = p.get("sem_embedder.embedding_table").toFloatArray();
            int dim = config.dim();
            int[] code = {2, 0, 3};
            float[] got = emb.forward(Condition.codes(code, l)).toFloatArray();
            for (int j = 0; j < dim; j++) {
                double mean = 0;
                for (int pos = 0; pos < l; pos++) {
                    mean += table[(pos * (v + 1) + code[pos]) * dim + j] / l;
                }
                assertEquals(mean, got[j], 1e-6);
            }
            // The null code is token V everywhere, whose entries start equal across positions.
            float[] nul = emb.forward(Condition.codes(code, l).asNull()).toFloatArray();
            for (int j = 0; j < dim; j++) {
                assertEquals(table[v * dim + j], nul[j], 1e-6);
            }
            assertThrows(IllegalArgumentException.class, () -> emb.forward(Condition.codes(new int[] {0, 4, 1}, l)));
            // --code-pooling scaled: the same table (same seed), the mean times √L.
            try (Params q = new Params(m)) {
                var scaled = ConditionEmbedder.create(q, config.withScaledCodes(true), new Rng(1));
                float[] big = scaled.forward(Condition.codes(code, l)).toFloatArray();
                for (int j = 0; j < dim; j++) {
                    assertEquals(got[j] * Math.sqrt(l), big[j], 1e-5);
                }
            }
        }
    }

    @Test
    void aGuidanceBatchIsTheConditionThenItsNullCopy() {
        Condition c = Condition.labels(new int[] {3, 5}).withNullCopy();
        assertEquals(4, c.count());
        assertArrayEquals(new boolean[] {false, false, true, true}, c.isNull());
        assertArrayEquals(new int[] {3, 5, 3, 5}, c.labels());
    }

    @Test
    void trainingDropsTheConditionAtTheConfiguredRate() {
        Rng rng = new Rng(9);
        int dropped = 0;
        int n = 200_000;
        for (boolean d : DitTraining.dropMask(n, 0.1, rng)) {
            dropped += d ? 1 : 0;
        }
        assertEquals(0.1, dropped / (double) n, 0.003);
    }

    @Test
    void tinyTrainingResumesExactlyAndSamplesWithAndWithoutGuidance(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var images = org.dlc4j.TestImages.noise(32, 28, 3);
        int l = 4;
        int v = 8;
        Rng r = new Rng(4);
        var codes = new org.dlc4j.data.DlcFile(r.ints(32 * l, v), l, v, images.labels(), null, 1.0, "abc", "noise");
        var model = DiT.Config.preset("tiny").conditionedOn(Conditioning.DLC, 0, l, v, 0);
        var c = DitTraining.Config.tiny(model, 1).withEpochs(2).withCheckpointEvery(3);
        var data = new DitTraining.Data(images, codes, null, "abc");
        try (NDManager m = NDManager.newBaseManager()) {
            DitTraining.train(m, c, data, dir.resolve("a.safetensors"), false, dir.resolve("a-dit.safetensors"), Long.MAX_VALUE);
            // Run b also writes EMA snapshots every 4 steps: stopping for them must not change the trajectory.
            var snapshots = c.withSnapshotEvery(4);
            var first = DitTraining.train(m, snapshots, data, dir.resolve("b.safetensors"), false, dir.resolve("b-dit.safetensors"), 5);
            assertEquals(5, first.steps());
            DitTraining.train(m, snapshots, data, dir.resolve("b.safetensors"), true, dir.resolve("b-dit.safetensors"), Long.MAX_VALUE);
            var atFour = DitTraining.snapshotPath(dir.resolve("b.safetensors"), 4);
            assertEquals("b-step000004.safetensors", atFour.getFileName().toString());
            try (TrainedDit snap = TrainedDit.load(m, atFour)) {
                assertEquals(4 * 8, snap.imagesSeen());
            }
            var last = org.dlc4j.io.Checkpoint.load(DitTraining.snapshotPath(dir.resolve("b.safetensors"), 8)).tensors();
            var a = org.dlc4j.io.Checkpoint.load(dir.resolve("a-dit.safetensors")).tensors();
            var b = org.dlc4j.io.Checkpoint.load(dir.resolve("b-dit.safetensors")).tensors();
            for (String k : a.keySet()) {
                assertArrayEquals(a.get(k).floats(), b.get(k).floats(), 1e-5f, k);
                assertArrayEquals(b.get(k).floats(), last.get(k).floats(), 0f, "the last snapshot is the trained model: " + k);
            }
            try (TrainedDit dit = TrainedDit.load(m, dir.resolve("a-dit.safetensors"))) {
                assertEquals("abc", dit.encoderSha());
                Condition cond = Condition.codes(java.util.Arrays.copyOf(codes.tokens(), 3 * l), l);
                var plain = new DitSampling.Options(org.dlc4j.diffusion.gaussian.SamplerConfig.ddim(5, 0.0), 1.0, Integer.MAX_VALUE, 2);
                float[] x1 = DitSampling.sample(m, dit.model(), cond, plain, new Rng(7));
                float[] x2 = DitSampling.sample(m, dit.model(), cond, plain, new Rng(7));
                assertArrayEquals(x1, x2, 0f, "the same seed gives the same samples");
                assertEquals(3 * 32 * 32, x1.length);
                // Guidance, checked against the same DDIM walk written out by hand: ε_u + 3·(ε_c − ε_u) from two separate
                // passes, the variance channel from the conditional one. Ignoring guidance, or guiding with the wrong
                // branch, scale or channel, fails here.
                var sampler = org.dlc4j.diffusion.gaussian.SamplerConfig.ddim(5, 0.0);
                var guided = new DitSampling.Options(sampler, 3.0, Integer.MAX_VALUE, 3);
                float[] g = DitSampling.sample(m, dit.model(), cond, guided, new Rng(7));
                float[] unguided = DitSampling.sample(m, dit.model(), cond, new DitSampling.Options(sampler, 1.0, Integer.MAX_VALUE, 3), new Rng(7));
                DiT net = dit.model();
                org.dlc4j.diffusion.gaussian.Denoiser byHand = (x, t) -> {
                    NDArray cOut = net.forward(x, t, cond);
                    NDArray uOut = net.forward(x, t, cond.asNull());
                    NDArray cEps = cOut.get(":, 0:1");
                    NDArray uEps = uOut.get(":, 0:1");
                    return uEps.add(cEps.sub(uEps).mul(3.0)).concat(cOut.get(":, 1:"), 1);
                };
                Rng seven = new Rng(7);
                NDArray xT = m.create(seven.gaussians(3 * 32 * 32), new Shape(3, 1, 32, 32));
                float[] want = sampler.build(DitTraining.diffusion(net.config())).sample(byHand, xT, seven).clip(-1f, 1f).toFloatArray();
                assertArrayEquals(want, g, 1e-4f, "guided sampling is the classifier-free combination");
                double moved = 0;
                for (int i = 0; i < g.length; i++) {
                    moved = Math.max(moved, Math.abs(g[i] - unguided[i]));
                }
                assertTrue(moved > 1e-3, "guidance at scale 3 changes the samples (max change " + moved + ")");
                assertThrows(IllegalArgumentException.class, () -> new DitSampling.Options(plain.sampler(), -0.5, 0, 1));
            }
            // Resuming b's checkpoint as a √L-scaled model (same parameter shapes) is refused, not loaded silently.
            var scaled = DitTraining.Config.tiny(model.withScaledCodes(true), 1).withEpochs(3);
            var e = assertThrows(org.dlc4j.util.ModelMismatchException.class,
                    () -> DitTraining.train(m, scaled, data, dir.resolve("b.safetensors"), true, dir.resolve("d-dit.safetensors"), Long.MAX_VALUE));
            assertTrue(e.getMessage().contains("was written for another model"), e.getMessage());
            var wrong = new org.dlc4j.data.DlcFile(new int[32 * 2], 2, v, null, null, 1.0, "abc", "x");
            assertThrows(org.dlc4j.util.InvalidInputException.class, () -> DitTraining.train(m, c, new DitTraining.Data(images, wrong, null, "abc"),
                    dir.resolve("c.safetensors"), false, dir.resolve("c-dit.safetensors"), 1));
        }
    }
}
