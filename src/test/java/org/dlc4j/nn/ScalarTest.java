package org.dlc4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * A garbage collection between forward and backward must not break the backward: DJL's number-argument ops
 * ({@code x.mul(0.5f)}) free the tensor autograd saved for the constant, so every layer multiplies through {@link Scalar}.
 */
class ScalarTest {
    @Test
    void layersSurviveACollectionBetweenForwardAndBackward() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            Linear in = new Linear(p, "in", 16, 32, new Rng(1));
            Attention attn = new Attention(p, "attn", 32, 4, Init.xavierUniform(), new Rng(2));
            float[] data = new Rng(3).gaussians(4 * 8 * 16);
            var config = new Trainer.Config(3, 1e-3, 0, AdamW.Config.defaults(), 0.0, 0.9, 0);
            try (Trainer trainer = new Trainer(p, config, 4)) {
                for (int step = 0; step < 3; step++) {
                    double loss = trainer.trainStep((mgr, rng, s) -> {
                        NDArray h = Layers.geluTanh(in.forward(mgr.create(data, new Shape(4, 8, 16))));
                        NDArray out = Scalar.over(Scalar.power(Scalar.atLeast(attn.forward(h), -10), 2).sum(), 7);
                        // What the garbage collector does at an unlucky moment of a real run, made certain.
                        for (int k = 0; k < 3; k++) {
                            System.gc();
                            byte[] junk = new byte[20_000_000];
                            junk[k] = 1;
                        }
                        return out;
                    });
                    assertTrue(Double.isFinite(loss));
                }
                assertEquals(0, trainer.skippedSteps(), "every gradient finite");
            }
        }
    }

    @Test
    void theHelpersComputeWhatTheyName() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {-2f, 0.5f, 3f});
            assertEquals(java.util.List.of(-5f, 1.25f, 7.5f), box(Scalar.times(x, 2.5).toFloatArray()));
            assertEquals(java.util.List.of(-1f, 0.25f, 1.5f), box(Scalar.over(x, 2).toFloatArray()));
            assertEquals(java.util.List.of(4f, 0.25f, 9f), box(Scalar.power(x, 2).toFloatArray()));
            assertEquals(java.util.List.of(0f, 0.5f, 3f), box(Scalar.atLeast(x, 0).toFloatArray()));
        }
    }

    private static java.util.List<Float> box(float[] a) {
        java.util.List<Float> out = new java.util.ArrayList<>();
        for (float f : a) {
            out.add(f);
        }
        return out;
    }
}
