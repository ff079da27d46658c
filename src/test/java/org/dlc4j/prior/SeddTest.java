package org.dlc4j.prior;

import org.dlc4j.diffusion.discrete.PriorSampler;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.data.DlcFile;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Rotary;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeddTest {
    @TempDir
    Path dir;

    @Test
    void atInitialisationTheScoreIsTheScaledUniformOneAndZeroAtTheOwnToken() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            Sedd model = new Sedd(p, Sedd.Config.preset("tiny", 4, 6), new Rng(1));
            int[] x = {6, 2, 6, 0, 1, 1, 1, 6};
            double[] sigma = {0.3, 2.0};
            float[] s = model.forward(m, x, sigma, null).toFloatArray();
            for (int b = 0; b < 2; b++) {
                double uniform = -Math.log(Math.expm1(sigma[b])) - Math.log(6);
                for (int i = 0; i < 4; i++) {
                    for (int y = 0; y < 7; y++) {
                        float got = s[((b * 4) + i) * 7 + y];
                        assertEquals(y == x[b * 4 + i] ? 0 : uniform, got, 1e-5, "code " + b + " position " + i + " state " + y);
                    }
                }
            }
        }
    }

    @Test
    void rotaryAttentionScoresDependOnlyOnTheOffset() {
        try (NDManager m = NDManager.newBaseManager()) {
            Rotary rot = new Rotary(m, 6, 8, 10000);
            float[] q = new Rng(1).gaussians(8);
            float[] k = new Rng(2).gaussians(8);
            // Copies of q and k at every position: after rotation, q at n against k at n' depends on n − n' only.
            float[] qs = new float[6 * 8];
            float[] ks = new float[6 * 8];
            for (int n = 0; n < 6; n++) {
                System.arraycopy(q, 0, qs, n * 8, 8);
                System.arraycopy(k, 0, ks, n * 8, 8);
            }
            NDArray rq = rot.apply(m.create(qs, new Shape(6, 8)));
            NDArray rk = rot.apply(m.create(ks, new Shape(6, 8)));
            float[] dots = rq.matMul(rk.transpose()).toFloatArray();
            assertEquals(dots[1 * 6 + 3], dots[2 * 6 + 4], 1e-4);
            assertEquals(dots[0], dots[5 * 6 + 5], 1e-4);
            assertEquals(norm(qs, 3), norm(rq.toFloatArray(), 3), 1e-4, "a rotation keeps the length");
        }
    }

    private static double norm(float[] a, int row) {
        double s = 0;
        for (int j = 0; j < 8; j++) {
            s += a[row * 8 + j] * a[row * 8 + j];
        }
        return Math.sqrt(s);
    }

    /** Codes of L = 4, V = 6 from two patterns: an easy distribution a few steps can learn. */
    private static DlcFile codes(int n, long seed) {
        Rng rng = new Rng(seed);
        int[] t = new int[n * 4];
        for (int i = 0; i < n; i++) {
            int[] pattern = rng.nextDouble() < 0.5 ? new int[] {0, 1, 2, 3} : new int[] {5, 5, 4, 4};
            System.arraycopy(pattern, 0, t, i * 4, 4);
        }
        return new DlcFile(t, 4, 6, null, null, 1.0, "enc", "synthetic");
    }

    @Test
    void trainingLowersTheHeldOutBitsAndTheSamplesFollowThePatterns() {
        var mc = Sedd.Config.preset("tiny", 4, 6);
        var c = SeddTraining.Config.tiny(mc, 0).with(2, 16, 3e-3);
        Path model = dir.resolve("prior.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            var r = SeddTraining.train(m, c, codes(640, 1), codes(200, 2), dir.resolve("ckpt.safetensors"), false, model, Long.MAX_VALUE);
            assertTrue(r.finished());
            double uniform = Math.log(6) / Math.log(2);
            assertTrue(r.heldoutBits() < 0.6 * uniform, "held-out bits " + r.heldoutBits() + " against uniform " + uniform);
            try (TrainedPrior prior = TrainedPrior.load(m, model)) {
                assertEquals("enc", prior.encoderSha());
                assertEquals(r.heldoutBits(), prior.heldoutBits(), 1e-9);
                int[] samples = prior.sample(100, PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, 16, 0), 50, new Rng(5));
                int patterns = 0;
                for (int i = 0; i < 100; i++) {
                    int[] s = java.util.Arrays.copyOfRange(samples, i * 4, i * 4 + 4);
                    if (java.util.Arrays.equals(s, new int[] {0, 1, 2, 3}) || java.util.Arrays.equals(s, new int[] {5, 5, 4, 4})) {
                        patterns++;
                    }
                }
                assertTrue(patterns >= 60, patterns + " of 100 samples are one of the two patterns");
                int[] again = prior.sample(100, PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, 16, 0), 50, new Rng(5));
                assertArrayEquals(samples, again, "the same seed gives the same codes");
            }
        }
    }

    /** One pass of the tiny preset over codes of 4 tokens from 6 values, 8 a batch. */
    private static SeddTraining.Config onePass(long seed) {
        return SeddTraining.Config.tiny(Sedd.Config.preset("tiny", 4, 6), seed).with(1, 8, 1e-3);
    }

    @Test
    void aResumedRunEndsWhereAnUninterruptedOneDoes() {
        var c = onePass(3);
        try (NDManager m = NDManager.newBaseManager()) {
            DlcFile data = codes(48, 4);
            SeddTraining.train(m, c, data, null, dir.resolve("a.safetensors"), false, dir.resolve("a-model.safetensors"), Long.MAX_VALUE);
            var half = SeddTraining.train(m, c, data, null, dir.resolve("b.safetensors"), false, dir.resolve("b-model.safetensors"), 3);
            assertEquals(3, half.steps());
            assertTrue(!Files.exists(dir.resolve("b-model.safetensors")), "no model before the end");
            // A model to warm-start from is passed too: a checkpoint to resume wins over it.
            SeddTraining.train(m, c, data, null, dir.resolve("b.safetensors"), true, dir.resolve("b-model.safetensors"), Long.MAX_VALUE,
                    dir.resolve("a-model.safetensors"));
            var a = Checkpoint.load(dir.resolve("a-model.safetensors")).tensors();
            var b = Checkpoint.load(dir.resolve("b-model.safetensors")).tensors();
            assertEquals(a.keySet(), b.keySet());
            a.forEach((name, t) -> assertArrayEquals(t.floats(), b.get(name).floats(), 0f, name));
        }
    }

    @Test
    void aWarmStartBeginsFromTheGivenModel() {
        var c = onePass(4);
        try (NDManager m = NDManager.newBaseManager()) {
            DlcFile data = codes(48, 8);
            Path trained = dir.resolve("w-trained.safetensors");
            SeddTraining.train(m, c, data, null, dir.resolve("w-a.safetensors"), false, trained, Long.MAX_VALUE);
            // With a vanishing learning rate a run ends where it began: on the given model when warm-started, far from it when not.
            var still = c.with(1, 8, 1e-12);
            SeddTraining.train(m, still, data, null, dir.resolve("w-b.safetensors"), true, dir.resolve("w-warm.safetensors"), Long.MAX_VALUE, trained);
            SeddTraining.train(m, still, data, null, dir.resolve("w-c.safetensors"), true, dir.resolve("w-fresh.safetensors"), Long.MAX_VALUE);
            var a = Checkpoint.load(trained).tensors();
            var warm = Checkpoint.load(dir.resolve("w-warm.safetensors")).tensors();
            var fresh = Checkpoint.load(dir.resolve("w-fresh.safetensors")).tensors();
            a.forEach((name, t) -> assertArrayEquals(t.floats(), warm.get(name).floats(), 1e-6f, name));
            double apart = 0;
            for (var e : a.entrySet()) {
                float[] p = e.getValue().floats();
                float[] q = fresh.get(e.getKey()).floats();
                for (int i = 0; i < p.length; i++) {
                    apart = Math.max(apart, Math.abs(p[i] - q[i]));
                }
            }
            assertTrue(apart > 1e-3, "a fresh run stays at its initialisation, " + apart + " from the trained model");
            // A model of another shape is refused before any step.
            var other = SeddTraining.Config.tiny(c.model().resized(16, 2, 2), 4).with(1, 8, 1e-3);
            var e = assertThrows(org.dlc4j.util.ModelMismatchException.class, () -> SeddTraining.train(m, other, data, null,
                    dir.resolve("w-e.safetensors"), true, dir.resolve("w-e-model.safetensors"), Long.MAX_VALUE, trained));
            assertTrue(e.getMessage().contains("same configuration"), e.getMessage());
        }
    }

    @Test
    void measuringTheHeldOutBitsDoesNotChangeTheRun() {
        var mc = Sedd.Config.preset("tiny", 4, 6);
        var c = SeddTraining.Config.tiny(mc, 5).with(3, 8, 1e-3);
        try (NDManager m = NDManager.newBaseManager()) {
            DlcFile data = codes(48, 6);
            SeddTraining.train(m, c, data, null, dir.resolve("plain.safetensors"), false, dir.resolve("plain-model.safetensors"), Long.MAX_VALUE);
            var withEval = c.withSchedule(c.warmup(), c.checkpointEvery(), 2);
            SeddTraining.train(m, withEval, data, codes(64, 7), dir.resolve("eval.safetensors"), false, dir.resolve("eval-model.safetensors"),
                    Long.MAX_VALUE);
            var a = Checkpoint.load(dir.resolve("plain.safetensors")).tensors();
            var b = Checkpoint.load(dir.resolve("eval.safetensors")).tensors();
            a.forEach((name, t) -> assertArrayEquals(t.floats(), b.get(name).floats(), 0f, name));
        }
    }

    @Test
    void codesOfAnotherShapeAreRefused() {
        var mc = Sedd.Config.preset("tiny", 4, 6);
        DlcFile wrong = new DlcFile(new int[10 * 5], 5, 6, null, null, 1.0, "", "x");
        var e = assertThrows(InvalidInputException.class, () -> SeddTraining.check(mc, wrong, "training"));
        assertTrue(e.getMessage().contains("5×6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sedd.Config.preset("huge", 4, 6));
    }
}
