package org.dlc4j.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.dlc4j.TestImages;
import org.dlc4j.diffusion.gaussian.GaussianDiffusion;
import org.dlc4j.nn.Params;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DiT recipe's levers beyond the reference: min-SNR-γ weighting, warm-up, native 28 px, ε-only prediction. */
class DitRecipeTest {
    @Test
    void minSnrWeightsAreOneInTheNoiseAndGammaOverSnrNearTheImage() {
        GaussianDiffusion d = DitTraining.diffusion(DiT.Config.preset("tiny"));
        float[] w = d.minSnrWeights(new int[] {999, 500, 100, 0}, 5);
        for (int i = 0; i < 4; i++) {
            int t = new int[] {999, 500, 100, 0}[i];
            double snr = d.alphaCumprod(t) / (1 - d.alphaCumprod(t));
            assertEquals(Math.min(snr, 5) / snr, w[i], 1e-6, "t = " + t);
        }
        assertEquals(1f, w[0], "at high noise SNR < γ: weight 1");
        assertTrue(w[3] < 1e-3 && w[2] < w[1] && w[1] <= 1, "cleaner images weigh less");
    }

    @Test
    void theMinSnrLossWeighsEachImagesEpsilonMseAndKeepsTheVarianceTerm() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            DiT.Config c = DiT.Config.preset("tiny");
            DiT model = new DiT(p, c, new Rng(1));
            GaussianDiffusion d = DitTraining.diffusion(c);
            Rng rng = new Rng(2);
            int b = 4;
            NDArray x0 = m.create(rng.gaussians(b * 32 * 32), new Shape(b, 1, 32, 32)).clip(-1, 1);
            NDArray noise = m.create(rng.gaussians(b * 32 * 32), new Shape(b, 1, 32, 32));
            int[] t = {3, 250, 600, 990};
            Condition none = Condition.none(b);
            NDArray xt = d.qSample(x0, t, noise);
            var losses = d.trainingLosses(model.forward(xt, t, none), x0, xt, t, noise);
            float[] mse = losses.mse().toFloatArray();
            float[] all = losses.loss().toFloatArray();
            float[] w = d.minSnrWeights(t, 5);
            double expected = 0;
            for (int i = 0; i < b; i++) {
                expected += (w[i] * mse[i] + (all[i] - mse[i])) / b;
            }
            assertEquals(expected, DitTraining.loss(model, d, x0, t, noise, none, 5).getFloat(), 1e-5);
            assertEquals(losses.loss().mean().getFloat(), DitTraining.loss(model, d, x0, t, noise, none, 0).getFloat(), 1e-6, "γ = 0 is the reference");
        }
    }

    @Test
    void aNative28PixelEpsilonOnlyRunWithWarmupTrainsAndSamples(@TempDir Path dir) {
        DiT.Config c = DiT.Config.preset("tiny").withLearnSigma(false);
        c = new DiT.Config(c.name(), 28, 1, 4, c.dim(), c.depth(), c.heads(), c.mlpRatio(), false, Conditioning.NONE, 0, 0, 0, 0, c.dropProb(), false);
        var images = TestImages.noise(16, 28, 3);
        var cfg = DitTraining.Config.tiny(c, 0).withWarmup(2).withMinSnr(5);
        try (NDManager m = NDManager.newBaseManager()) {
            var r = DitTraining.train(m, cfg, new DitTraining.Data(images, null, null, ""), dir.resolve("ck.safetensors"), false,
                    dir.resolve("dit.safetensors"), Long.MAX_VALUE);
            assertTrue(r.finished() && Double.isFinite(r.finalLoss()));
            try (TrainedDit dit = TrainedDit.load(m, dir.resolve("dit.safetensors"))) {
                assertEquals(28, dit.model().config().image());
                assertEquals(1, dit.model().config().outChannels(), "ε only");
                assertTrue(dit.trainSeconds() >= 0);
                float[] x = dit.sample(Condition.none(2), new DitSampling.Options(org.dlc4j.diffusion.gaussian.SamplerConfig.ddim(3, 0), 1, 1000, 2),
                        new Rng(0));
                assertEquals(2 * 28 * 28, x.length);
            }
        }
        assertThrows(InvalidInputException.class, () -> DitTraining.Config.tiny(DiT.Config.preset("tiny"), 0).withMinSnr(-1));
    }

    @Test
    void aWarmStartBeginsFromTheGivenModelsWeightsAndRefusesAnotherModel(@TempDir Path dir) {
        DiT.Config c = DiT.Config.preset("tiny");
        var images = TestImages.noise(16, 32, 4);
        var data = new DitTraining.Data(images, null, null, "");
        try (NDManager m = NDManager.newBaseManager()) {
            DitTraining.train(m, DitTraining.Config.tiny(c, 0), data, dir.resolve("a-ck.safetensors"), false, dir.resolve("a.safetensors"), Long.MAX_VALUE);
            // A step at learning rate 0 leaves the weights where the warm start put them.
            var still = DitTraining.Config.tiny(c, 9).withLr(0);
            DitTraining.train(m, still, data, dir.resolve("b-ck.safetensors"), true, dir.resolve("b.safetensors"), 1, dir.resolve("a.safetensors"));
            var a = org.dlc4j.io.Checkpoint.load(dir.resolve("a.safetensors")).tensors();
            var b = org.dlc4j.io.Checkpoint.load(dir.resolve("b-ck.safetensors")).tensors();
            for (String k : a.keySet()) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.get(k).floats(), b.get(k).floats(), k);
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.get(k).floats(), b.get(org.dlc4j.nn.Trainer.EMA + k).floats(), 1e-6f, "ema " + k);
            }
            var other = DitTraining.Config.tiny(c.withLearnSigma(false), 0);
            assertThrows(org.dlc4j.util.ModelMismatchException.class, () -> DitTraining.train(m, other, data, dir.resolve("c-ck.safetensors"), true,
                    dir.resolve("c.safetensors"), 1, dir.resolve("a.safetensors")));
        }
    }

    @Test
    void theFastRecipeIsNative28PixelsBatch16MinSnr5AndThePapersStaysReachable() {
        DiT.Config fast = DitRecipe.parse("fast").model(null);
        assertEquals(28, fast.image());
        assertEquals(4, fast.patch());
        var f = DitRecipe.FAST.training(fast, 0);
        assertEquals(16, f.batch());
        assertEquals(5, f.minSnrGamma());
        var p = DitRecipe.parse("paper").training(DitRecipe.PAPER.model(null), 0);
        assertEquals(DitTraining.Config.fmnist(DiT.Config.preset("DiT-T/4"), 0), p, "the paper's recipe is the reference setup unchanged");
        assertEquals(28, DitRecipe.FAST.model("DiT-S/4").image(), "another size at the recipe's image");
        assertThrows(InvalidInputException.class, () -> DitRecipe.parse("quick"));
        // One's own pictures: the preset at their size and channels, an 8×8 token grid from 32 px up (patch 8 at 64 px).
        DiT.Config at32 = DitRecipe.FAST.model(null, 32, 3);
        DiT.Config at64 = DitRecipe.FAST.model(null, 64, 3);
        assertEquals(List.of(32, 3, 4), List.of(at32.image(), at32.channels(), at32.patch()));
        assertEquals(List.of(64, 3, 8), List.of(at64.image(), at64.channels(), at64.patch()));
        assertEquals(4, DitRecipe.FAST.model(null, 16, 1).patch(), "a small picture keeps the preset's patch");
    }

    @Test
    void trainingRefusesPicturesOfAnotherChannelCountOrSize(@TempDir Path dir) {
        var colour = org.dlc4j.data.ImageDataset.fromBatch("colour", new float[8 * 3 * 32 * 32], 3, 32, 32);
        var grey = DiT.Config.preset("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            var e = assertThrows(InvalidInputException.class, () -> DitTraining.train(m, DitTraining.Config.tiny(grey, 0),
                    new DitTraining.Data(colour, null, null, ""), dir.resolve("a.safetensors"), false, dir.resolve("b.safetensors"), 1));
            assertTrue(e.getMessage().contains("3-channel 32-px images but the DiT makes 1-channel 32-px ones"), e.getMessage());
            var small = grey.forImages(16, 3);
            e = assertThrows(InvalidInputException.class, () -> DitTraining.train(m, DitTraining.Config.tiny(small, 0),
                    new DitTraining.Data(colour, null, null, ""), dir.resolve("a.safetensors"), false, dir.resolve("b.safetensors"), 1));
            assertTrue(e.getMessage().contains("size the DiT to the data"), e.getMessage());
            var enc = org.dlc4j.sem.SemTraining.Config.tinyTwoView(org.dlc4j.sem.SemTraining.Objective.VICREG, 0);
            e = assertThrows(InvalidInputException.class, () -> org.dlc4j.sem.SemTraining.train(m, enc, colour, dir.resolve("s.safetensors"), false,
                    dir.resolve("e.safetensors")));
            assertTrue(e.getMessage().contains("size the encoder to the data"), e.getMessage());
        }
    }
}
