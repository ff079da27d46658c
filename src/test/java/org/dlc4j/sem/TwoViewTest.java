package org.dlc4j.sem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.dlc4j.nn.BatchNorm;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

/** The ResNet backbone, BatchNorm, the BYOL and VICReg losses and the collapse check (issue 22). */
class TwoViewTest {
    @Test
    void modelArithmeticIsCountedByHand() {
        // tiny ResNet at 28 px, stages 8-16: stem 28²·9·8; stage 1 two 3×3 convs 8→8 at 28²; stage 2 at 14²: 3×3 8→16,
        // 3×3 16→16 and the 1×1 shortcut 8→16; SEM head 16→L·V=32 and back.
        long resnet = 28 * 28 * 9 * 8 + 2L * 28 * 28 * 9 * 8 * 8 + 14 * 14 * 9 * 8 * 16 + 14 * 14 * 9 * 16 * 16 + 14 * 14 * 8 * 16 + 2 * 16 * 32;
        assertEquals(1_663_104, resnet);
        assertEquals(resnet, SemEncoder.Config.tinyResNet().forwardMacs(28));
        // tiny ViT: 16 patches + [CLS] + 4 registers = 21 tokens of width 32, 2 blocks with MLP ×2; patch projection
        // 16·(64 → 32); SEM head reads [CLS] and registers, 5·32 → 32, and writes 32 → 32.
        long vit = 16 * 64 * 32 + 2 * (21 * (4 * 32 * 32 + 2 * 64 * 32) + 2 * 21 * 21 * 32) + 5 * 32 * 32 + 32 * 32;
        assertEquals(vit, SemEncoder.Config.tiny().forwardMacs(32));
        // VICReg trains the student on two views and has no teacher: 2 FLOP × 3 passes × 2 × (encoder + 16→32→32→16 projector).
        var c = SemTraining.Config.tinyTwoView(SemTraining.Objective.VICREG, 0);
        assertEquals(2.0 * 3 * 2 * (resnet + 16 * 32 + 32 * 32 + 32 * 16), c.flopPerImage());
    }

    @Test
    void theResNetEncoderGivesTheSemOutputsAtTwentyEightPixels() {
        var c = SemEncoder.Config.tinyResNet();
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            SemEncoder enc = new SemEncoder(p, c, new Rng(1));
            assertTrue(p.all().containsKey("backbone.layer2.0.shortcut.weight"), "a stride-2 stage projects its shortcut");
            assertFalse(p.all().containsKey("backbone.layer1.0.shortcut.weight"), "an equal-width stride-1 block keeps the identity");
            assertFalse(p.all().containsKey("cls_token"), "no ViT tokens");
            assertTrue(p.buffers().containsKey("backbone.stem_bn.running_var"));
            // Each block starts as the identity: its last BatchNorm scale is 0.
            assertArrayEquals(new float[16], p.get("backbone.layer2.0.bn2.weight").toFloatArray());
            NDArray x = m.create(new Rng(2).gaussians(3 * 28 * 28), new Shape(3, 1, 28, 28));
            SemEncoder.Output out = enc.forward(x, 1.0);
            assertArrayEquals(new long[] {3, c.length(), c.vocab()}, out.probs().getShape().getShape());
            assertArrayEquals(new long[] {3, c.dim()}, out.cls().getShape().getShape());
            assertArrayEquals(new long[] {3, 16}, out.backboneCls().getShape().getShape());
            assertNull(out.patches());
            for (float s : out.probs().sum(new int[] {-1}).toFloatArray()) {
                assertEquals(1.0, s, 1e-5);
            }
            assertThrows(IllegalArgumentException.class, () -> enc.forward(x, 1.0, m.zeros(new Shape(3, 784)), true));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new SemEncoder.Config(28, 1, 1, 0, 32, 1, 0, 0, 0, 0, 4, 8, 1.0, SemEncoder.RESNET, new int[] {8, 16}));
    }

    @Test
    void inferenceCodesDoNotDependOnTheBatchButTrainingNormalisesByIt() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            SemEncoder enc = new SemEncoder(p, SemEncoder.Config.tinyResNet(), new Rng(1));
            NDArray a = m.create(new Rng(2).gaussians(2 * 28 * 28), new Shape(2, 1, 28, 28));
            NDArray b = m.create(new Rng(3).gaussians(4 * 28 * 28), new Shape(4, 1, 28, 28)).mul(3).add(1);
            NDArray ab = a.concat(b, 0);
            float[] alone = enc.forward(a, 1.0).logits().toFloatArray();
            float[] together = enc.forward(ab, 1.0).logits().get("0:2").toFloatArray();
            assertArrayEquals(alone, together, 1e-5f);
            float[] trainAlone = enc.forward(a, 1.0, null, false).logits().toFloatArray();
            assertArrayEquals(alone, trainAlone, 0f);
            float[] trainTogether = enc.forward(ab, 1.0, null, true).logits().get("0:2").toFloatArray();
            assertFalse(java.util.Arrays.equals(alone, trainTogether), "training mode reads the batch's statistics");
        }
    }

    @Test
    void batchNormNormalisesByTheBatchAndPreciseRecalibrationAveragesTheBatches() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            BatchNorm bn = new BatchNorm(p, "bn", 2, new Rng(0));
            p.get("bn.weight").set(new float[] {2, 1});
            p.get("bn.bias").set(new float[] {0, 5});
            // Batch statistics: column 0 = {1, 3} (mean 2, biased var 1), column 1 = {4, 4} (var 0).
            NDArray x = m.create(new float[] {1, 4, 3, 4}, new Shape(2, 2));
            float eps = (float) BatchNorm.EPS;
            float s = (float) (1 / Math.sqrt(1 + eps));
            assertArrayEquals(new float[] {-2 * s, 5, 2 * s, 5}, bn.forward(x, true).toFloatArray(), 1e-5f);
            // Three batches with weights 1, 1/2, 1/3 leave the plain average of their means and unbiased variances.
            float[][] batches = {{1, 4, 3, 4}, {0, 0, 2, 2}, {5, 1, 7, 3}};
            for (int k = 0; k < 3; k++) {
                bn.forward(m.create(batches[k], new Shape(2, 2)), true, 1.0 / (k + 1));
            }
            assertArrayEquals(new float[] {(2 + 1 + 6) / 3f, (4 + 1 + 2) / 3f}, p.buffers().get("bn.running_mean").toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {2f, (0 + 2 + 2) / 3f}, p.buffers().get("bn.running_var").toFloatArray(), 1e-5f);
            // Inference: (x − running mean) / √(running var + ε) · weight + bias.
            NDArray y = bn.forward(m.create(new float[] {3, 1}, new Shape(1, 2)), false);
            assertArrayEquals(new float[] {(float) (2 * (3 - 3) / Math.sqrt(2 + eps)), (float) ((1 - 7 / 3.0) / Math.sqrt(4 / 3.0 + eps) + 5)},
                    y.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void byolLossIsTwoMinusTwiceTheCosine() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.create(new float[] {1, 0, 3, 0, 1, 1}, new Shape(3, 2));
            NDArray z = m.create(new float[] {0, 1, 2, 0, 1, 0}, new Shape(3, 2));
            // Orthogonal: 2; parallel at any scale: 0; at 45°: 2 − √2.
            assertEquals((2 + 0 + (2 - Math.sqrt(2))) / 3, ByolLoss.loss(q, z).getFloat(), 1e-6);
        }
    }

    @Test
    void vicRegTermsOnHandWorkedBatches() {
        try (NDManager m = NDManager.newBaseManager()) {
            // One live dimension (values ±1: unbiased std √2, no hinge) and one dead one (std √1e-4 = 0.01: hinge 0.99).
            NDArray a = m.create(new float[] {1, 0, -1, 0}, new Shape(2, 2));
            var t = VicRegLoss.terms(a, a);
            assertEquals(0, t.invariance().getFloat(), 0);
            assertEquals(0.495, t.variance().getFloat(), 1e-5);
            assertEquals(0, t.covariance().getFloat(), 1e-6);
            assertEquals(25 * 0.495, VicRegLoss.paper().loss(a, a).getFloat(), 1e-4);
            // Two identical dimensions: covariance [[2, 2], [2, 2]], off-diagonal squares 8, over D = 2: 4 per branch.
            NDArray same = m.create(new float[] {1, 1, -1, -1}, new Shape(2, 2));
            var u = VicRegLoss.terms(same, same);
            assertEquals(8, u.covariance().getFloat(), 1e-5);
            assertEquals(0, u.variance().getFloat(), 1e-6);
            // Invariance is the mean squared difference over all entries.
            NDArray eye = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            assertEquals(0.5, VicRegLoss.terms(eye, eye.zerosLike()).invariance().getFloat(), 1e-6);
        }
    }

    @Test
    void codeDiversityIsZeroForAUniformVocabularyAndOneForAConstantToken() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Two images, one position, V = 4: each image one-hot on its own token → the batch uses 2 of 4: 1 − log 2 / log 4.
            NDArray half = m.create(new float[] {1, 0, 0, 0, 0, 1, 0, 0}, new Shape(2, 1, 4));
            assertEquals(0.5, SemTraining.codeDiversity(half).getFloat(), 1e-6);
            NDArray same = m.create(new float[] {1, 0, 0, 0, 1, 0, 0, 0}, new Shape(2, 1, 4));
            assertEquals(1.0, SemTraining.codeDiversity(same).getFloat(), 1e-6);
            // Flat distributions, or one-hot ones spread over the four tokens, both use the whole vocabulary.
            assertEquals(0.0, SemTraining.codeDiversity(m.full(new Shape(3, 2, 4), 0.25f)).getFloat(), 1e-6);
            NDArray spread = m.create(new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, new Shape(4, 1, 4));
            assertEquals(0.0, SemTraining.codeDiversity(spread).getFloat(), 1e-6);
        }
    }

    @Test
    void theCollapseCheckFailsOnACollapsedEncoderAndPassesARandomOne() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            var c = SemEncoder.Config.tinyResNet();
            SemEncoder enc = new SemEncoder(p, c, new Rng(1));
            // Images that differ in what a pooled feature sees: brightness and contrast, one of each per image.
            float[] pixels = new Rng(2).gaussians(64 * 28 * 28);
            Rng r = new Rng(3);
            for (int i = 0; i < 64; i++) {
                double offset = 2 * r.nextDouble() - 1;
                double scale = 2 * r.nextDouble();
                for (int j = i * 784; j < (i + 1) * 784; j++) {
                    pixels[j] = (float) (offset + scale * pixels[j]);
                }
            }
            NDArray x = m.create(pixels, new Shape(64, 1, 28, 28));
            enc.recalibrateBatchNorm(List.of(x));
            Collapse healthy = Collapse.of(enc.forward(x, 1.0));
            assertFalse(healthy.collapsed(), healthy.toString());
            assertTrue(healthy.distinct() > 8, healthy.toString());
            // The constant solution: a SEM that ignores its input maps every image to one code and one vector.
            p.get("sem_embed.weight").set(new float[Math.toIntExact(p.get("sem_embed.weight").size())]);
            Collapse collapsed = Collapse.of(enc.forward(x, 1.0));
            assertTrue(collapsed.collapsed(), collapsed.toString());
            assertEquals(1, collapsed.distinct());
            assertEquals(1.0 / c.vocab(), collapsed.usage(), 1e-9);
            assertTrue(collapsed.toString().contains("COLLAPSED"));
        }
    }

    @Test
    void twoViewRecipesRefuseWhatTheyCannotDo() {
        var resnet = SemEncoder.Config.tinyResNet();
        assertThrows(IllegalArgumentException.class, () -> SemTraining.Config.tinyTwoView(SemTraining.Objective.BYOL, 0)
                .withCrops(MultiCrop.tiny()));
        assertThrows(IllegalArgumentException.class, () -> SemTraining.Config.tiny(0).with(b -> b.encoder = resnet));
        assertEquals(List.of(SemTraining.Objective.DINO, SemTraining.Objective.BYOL, SemTraining.Objective.VICREG),
                List.of(SemTraining.Objective.values()));
    }
}
