package org.dlc4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AdamW, clipping and EMA against hand-computed values. */
class OptimTest {
    @ParameterizedTest
    @ValueSource(doubles = {1e-8, 0.05})
    void adamWStepsMatchPyTorchFormula(double eps) {
        // ε 0.05 is of the order of √v̂ here, so an ε added before the bias correction (Adam's ε-hat form) would fail
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            p.add("w", new long[] {2}, Init.constant(1f), new Rng(0));
            AdamW.Config c = new AdamW.Config(0.9, 0.999, eps, 0.1);
            try (AdamW adam = new AdamW(p, c)) {
                double lr = 0.01;
                double[] w = {1, 1};
                double[] mm = {0, 0};
                double[] vv = {0, 0};
                double[][] gs = {{0.5, -2}, {0.1, 3}, {-1, 0.2}};
                for (int step = 1; step <= gs.length; step++) {
                    Map<String, NDArray> grads = Map.of("w", m.create(new float[] {(float) gs[step - 1][0], (float) gs[step - 1][1]}));
                    adam.step(p, grads, lr);
                    for (int i = 0; i < 2; i++) {
                        double g = gs[step - 1][i];
                        w[i] *= 1 - lr * c.weightDecay();
                        mm[i] = 0.9 * mm[i] + 0.1 * g;
                        vv[i] = 0.999 * vv[i] + 0.001 * g * g;
                        double mh = mm[i] / (1 - Math.pow(0.9, step));
                        double vh = vv[i] / (1 - Math.pow(0.999, step));
                        w[i] -= lr * mh / (Math.sqrt(vh) + eps);
                    }
                }
                float[] got = p.get("w").toFloatArray();
                assertEquals(w[0], got[0], 1e-6);
                assertEquals(w[1], got[1], 1e-6);
                assertEquals(3, adam.stepCount());
            }
        }
    }

    @Test
    void globalNormClippingScalesAllGradientsTogether() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> grads = new LinkedHashMap<>();
            grads.put("a", m.create(new float[] {3f, 0f}));
            grads.put("b", m.create(new float[] {4f}));
            double norm = GradClip.clipGlobalNorm(grads, 1.0);
            assertEquals(5.0, norm, 1e-6);
            assertArrayEquals(new float[] {0.6f, 0f}, grads.get("a").toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {0.8f}, grads.get("b").toFloatArray(), 1e-5f);
            assertEquals(1.0, GradClip.globalNorm(grads), 1e-5);
            GradClip.clipGlobalNorm(grads, 10.0);
            assertArrayEquals(new float[] {0.8f}, grads.get("b").toFloatArray(), 1e-5f);
        }
    }

    @Test
    void weightsUpdateInPlaceOnAThreadThatDidNotLoadLibtorch() throws Exception {
        // libtorch records autograd graphs by default on every thread but the one that loaded it: a server worker or a
        // caller's pool. The EMA's in-place update must still work there.
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
                p.add("w", new long[] {1}, Init.constant(1f), new Rng(0));
                try (Ema ema = new Ema(p)) {
                    ema.update(p, 0.5);
                    assertEquals(1f, ema.weights().get("w").getFloat(0), 1e-6);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        assertEquals(null, failure.get());
    }

    @Test
    void emaAndSchedules() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            p.add("w", new long[] {1}, Init.constant(0f), new Rng(0));
            try (Ema ema = new Ema(p)) {
                p.get("w").addi(1f);
                ema.update(p, 0.9);
                ema.update(p, 0.9);
                // 0 → 0.1 → 0.19
                assertEquals(0.19, ema.weights().get("w").getFloat(0), 1e-6);
            }
        }
        LrSchedule w = LrSchedule.constant(1e-3, 10);
        assertEquals(1e-4, w.at(0), 1e-12);
        assertEquals(1e-3, w.at(9), 1e-12);
        assertEquals(1e-3, w.at(1000), 1e-12);
        // DINO's cosine: peak after warm-up, halfway between peak and floor at the midpoint, floor at the end.
        LrSchedule cos = new LrSchedule(1e-3, 10, 110, 1e-5);
        assertEquals(1e-3, cos.at(10), 1e-12);
        assertEquals((1e-3 + 1e-5) / 2, cos.at(60), 1e-12);
        assertEquals(1e-5, cos.at(110), 1e-12);
        var teacher = new Trainer.Config(101, 1e-3, 0, AdamW.Config.defaults(), 1, 0.992, 0).withEmaRisingTo(1.0);
        assertEquals(0.992, teacher.emaAt(0), 1e-12);
        assertEquals(0.996, teacher.emaAt(50), 1e-12);
        assertEquals(1.0, teacher.emaAt(100), 1e-12);
        var warm = new Trainer.Config(20000, 1e-4, 0, AdamW.Config.defaults(), 0, 0.999, 0).withEmaWarmup();
        assertEquals(0.1, warm.emaAt(0), 1e-12, "the first update almost copies the weights");
        assertEquals(1001.0 / 1010.0, warm.emaAt(1000), 1e-12);
        assertEquals(0.999, warm.emaAt(15000), 1e-12, "the cap gives way to the configured decay");
    }

    @Test
    void aNonFiniteStepIsSkippedAndTrainingGoesOnWithCleanGradients() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            p.add("w", new long[] {64}, Init.constant(1f), new Rng(0));
            var tc = new Trainer.Config(200, 0.01, 0, AdamW.Config.defaults(), 1.0, 0.5, 0);
            try (Trainer t = new Trainer(p, tc, 0)) {
                t.trainStep((mgr, rng, step) -> p.get("w").square().sum());
                float[] before = p.get("w").toFloatArray();
                double skipped = t.trainStep((mgr, rng, step) -> p.get("w").square().sum().mul(Float.NaN));
                org.junit.jupiter.api.Assertions.assertTrue(Double.isNaN(skipped));
                assertArrayEquals(before, p.get("w").toFloatArray(), "a skipped step changes nothing");
                // Many steps and collections later the gradient storage must still be the model's own (it once
                // aliased a freed buffer after a skip and corrupted the native heap).
                for (int i = 0; i < 150; i++) {
                    if (i % 50 == 0) {
                        System.gc();
                    }
                    t.trainStep((mgr, rng, step) -> p.get("w").square().sum());
                }
                for (float w : p.get("w").toFloatArray()) {
                    org.junit.jupiter.api.Assertions.assertTrue(Float.isFinite(w) && w < before[0], "w = " + w);
                }
            }
        }
    }
}
