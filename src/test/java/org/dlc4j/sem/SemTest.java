package org.dlc4j.sem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dlc4j.TestImages;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.nn.AdamW;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Trainer;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SemTest {
    @TempDir
    Path dir;

    @Test
    void semHeadGivesOneDistributionPerPositionAndTheCodeIsItsArgmax() {
        var c = SemEncoder.Config.tiny();
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            SemEncoder enc = new SemEncoder(p, c, new Rng(1));
            NDArray x = m.create(new Rng(2).gaussians(3 * 32 * 32), new Shape(3, 1, 32, 32));
            SemEncoder.Output out = enc.forward(x, 0.5);
            assertArrayEquals(new long[] {3, c.length(), c.vocab()}, out.probs().getShape().getShape());
            assertArrayEquals(new long[] {3, c.dim()}, out.cls().getShape().getShape());
            assertArrayEquals(new long[] {3, 16, c.dim()}, out.patches().getShape().getShape());
            for (float s : out.probs().sum(new int[] {-1}).toFloatArray()) {
                assertEquals(1.0, s, 1e-5);
            }
            // softmax(z/τ) keeps z's argmax at every position, whatever τ.
            assertArrayEquals(out.logits().argMax(-1).toLongArray(), enc.forward(x, 1e-5).probs().argMax(-1).toLongArray());
            // Local crops (16×16) read the position grid resized as DINOv2 does (antialiased bicubic).
            NDArray small = m.create(new Rng(3).gaussians(2 * 16 * 16), new Shape(2, 1, 16, 16));
            assertArrayEquals(new long[] {2, c.dim()}, enc.forward(small, 1.0).cls().getShape().getShape());
        }
    }

    @Test
    void aConvolutionalStemGivesTheSameTokenGridAsThePatchProjection() {
        var c = SemEncoder.Config.tiny().withStem(8);
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            SemEncoder enc = new SemEncoder(p, c, new Rng(1));
            assertTrue(p.all().containsKey("patch_embed.stem.3.weight"), "patch 8 takes a 3×3 convolution and three stride-2 ones");
            NDArray x = m.create(new Rng(2).gaussians(2 * 32 * 32), new Shape(2, 1, 32, 32));
            assertArrayEquals(new long[] {2, 16, c.dim()}, enc.forward(x, 1.0).patches().getShape().getShape());
            NDArray small = m.create(new Rng(3).gaussians(2 * 16 * 16), new Shape(2, 1, 16, 16));
            assertArrayEquals(new long[] {2, 4, c.dim()}, enc.forward(small, 1.0).patches().getShape().getShape());
        }
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            var odd = new SemEncoder.Config(24, 1, 6, 8, 32, 2, 2, 2.0, 4, 1e-5, 4, 8, 1.0);
            assertThrows(IllegalArgumentException.class, () -> new SemEncoder(p, odd, new Rng(0)));
        }
    }

    @Test
    void nearestCodesAreRankedBySharedPositions() {
        int[] gallery = {0, 0, 0, 0, /**/ 0, 1, 1, 1, /**/ 0, 0, 1, 1, /**/ 0, 0, 0, 1};
        DlcFile g = new DlcFile(gallery, 4, 2, null, null, 1.0, "", "g");
        assertArrayEquals(new int[] {4, 1, 2, 3}, CodeStats.shared(new int[] {0, 0, 0, 0}, g));
        assertArrayEquals(new int[] {0, 3, 2}, CodeStats.nearest(new int[] {0, 0, 0, 0}, g, 3, -1));
        assertArrayEquals(new int[] {3, 2, 1}, CodeStats.nearest(g, 0, 3), "a query is not its own neighbour");
        assertThrows(IllegalArgumentException.class, () -> CodeStats.nearest(new int[] {0, 0}, g, 1, -1));
    }

    @Test
    void theKNearestCodesVoteForAClass() {
        // Gallery codes 0..3 share 4, 1, 2, 3 positions with the query; their labels are 5, 7, 7, 7.
        int[] gallery = {0, 0, 0, 0, /**/ 0, 1, 1, 1, /**/ 0, 0, 1, 1, /**/ 0, 0, 0, 1};
        DlcFile g = new DlcFile(gallery, 4, 2, new int[] {5, 7, 7, 7}, null, 1.0, "", "g");
        int[] query = {0, 0, 0, 0};
        assertEquals(1.0, CodeStats.knnLabelAccuracy(query, new int[] {5}, g, 1), "k = 1 is the nearest code's class");
        assertEquals(1.0, CodeStats.nearestLabelAccuracy(query, new int[] {5}, g));
        assertEquals(1.0, CodeStats.knnLabelAccuracy(query, new int[] {5}, g, 2), "a 1–1 tie goes to the class that reached it first");
        assertEquals(0.0, CodeStats.knnLabelAccuracy(query, new int[] {5}, g, 3), "7 outvotes 5 two to one");
        assertEquals(0.5, CodeStats.knnLabelAccuracy(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, new int[] {7, 7}, g, 1));
        assertThrows(IllegalArgumentException.class, () -> CodeStats.knnLabelAccuracy(query, new int[] {5}, g, 5));
        double[] votes = CodeStats.knnVotes(query, g, 3, 8);
        assertEquals(1 / 3.0, votes[5], 1e-12, "one of the three nearest is a 5");
        assertEquals(2 / 3.0, votes[7], 1e-12);
        assertEquals(1.0, java.util.Arrays.stream(votes).sum(), 1e-12);
        var rng = new java.util.Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int[] counts = rng.ints(200, 0, 9).toArray();
            for (int k : new int[] {1, 7, 200}) {
                for (int skip : new int[] {-1, 0, 150}) {
                    // The ranking by sorting, largest count first, ties by index: what the bucketed one must reproduce.
                    int[] sorted = java.util.stream.IntStream.range(0, counts.length).filter(i -> i != skip).boxed()
                            .sorted((a, b) -> counts[a] != counts[b] ? Integer.compare(counts[b], counts[a]) : Integer.compare(a, b))
                            .limit(k).mapToInt(Integer::intValue).toArray();
                    assertArrayEquals(sorted, CodeStats.top(counts, k, skip), "bucketed ranking = sorted ranking");
                }
            }
        }
    }

    @Test
    void dinoLossMatchesAHandWorkedCase() {
        try (NDManager m = NDManager.newBaseManager()) {
            double ln3 = Math.log(3);
            NDArray center = m.zeros(new Shape(1, 2));
            DinoLoss loss = new DinoLoss(1.0, 0.9, center);
            List<NDArray> teacher = List.of(m.create(new float[] {0, 0}, new Shape(1, 2)), m.create(new float[] {(float) ln3, 0}, new Shape(1, 2)));
            List<NDArray> student = List.of(m.create(new float[] {0, 0}, new Shape(1, 2)), m.create(new float[] {(float) ln3, 0}, new Shape(1, 2)));
            // Pairs (0,1): H([½,½], [¾,¼]) = −½ ln ¾ − ½ ln ¼; (1,0): H([¾,¼], [½,½]) = ln 2; the loss is their mean.
            double expected = ((-0.5 * Math.log(0.75) - 0.5 * Math.log(0.25)) + Math.log(2)) / 2;
            assertEquals(expected, loss.loss(student, teacher, 1.0).getFloat(), 1e-6);
            loss.updateCenter(teacher);
            assertArrayEquals(new float[] {(float) (0.1 * ln3 / 2), 0}, center.toFloatArray(), 1e-6f);
            assertEquals(0.04, DinoLoss.teacherTemp(0.04, 0.07, 10, 0), 1e-12);
            assertEquals(0.04 + 0.03 * 5 / 9, DinoLoss.teacherTemp(0.04, 0.07, 10, 5), 1e-12); // np.linspace(0.04, 0.07, 10)[5]
            assertEquals(0.07, DinoLoss.teacherTemp(0.04, 0.07, 10, 9), 1e-12);
            assertEquals(0.07, DinoLoss.teacherTemp(0.04, 0.07, 10, 50), 1e-12);
        }
    }

    @Test
    void theTeacherIsTheStudentsMovingAverageWithARisingMomentum() {
        try (NDManager m = NDManager.newBaseManager(); Params student = new Params(m); Params teacher = new Params(m)) {
            student.add("w", new long[] {1}, (s, r) -> new float[] {1}, new Rng(0));
            teacher.add("w", new long[] {1}, (s, r) -> new float[] {5}, new Rng(0));
            var tc = new Trainer.Config(3, 0.5, 0, new AdamW.Config(0.9, 0.999, 1e-8, 0), 0, 0.5, 0).withEmaRisingTo(1.0);
            try (Trainer t = new Trainer(student, tc, 0, teacher)) {
                assertEquals(1f, teacher.get("w").getFloat(0), "the teacher starts as the student");
                t.trainStep((mgr, rng, step) -> student.get("w").mul(1));
                // Adam's first step moves w by lr against the gradient's sign: 1 → 0.5. Momentum at step 0: 0.5.
                assertEquals(0.5f, student.get("w").getFloat(0), 1e-5f);
                assertEquals(0.75f, teacher.get("w").getFloat(0), 1e-5f);
                float before = teacher.get("w").getFloat(0);
                t.trainStep((mgr, rng, step) -> student.get("w").mul(1));
                // Momentum at step 1 of 3 is halfway up the cosine from 0.5 to 1: 0.75.
                assertEquals(0.75 * before + 0.25 * student.get("w").getFloat(0), teacher.get("w").getFloat(0), 1e-5);
            }
        }
    }

    static List<SemTraining.Config> tinyRecipes() {
        return List.of(SemTraining.Config.tiny(7), SemTraining.Config.tinyTwoView(SemTraining.Objective.BYOL, 7),
                SemTraining.Config.tinyTwoView(SemTraining.Objective.VICREG, 7));
    }

    @ParameterizedTest
    @MethodSource("tinyRecipes")
    void tinyTrainingResumesExactlyAndShipsAnEncoderThatWritesCodes(SemTraining.Config c) {
        ImageDataset data = TestImages.noise(64, 28, 5);
        var run = c.withEpochs(2).withCheckpointEvery(3);
        try (NDManager m = NDManager.newBaseManager()) {
            SemTraining.train(m, run, data, dir.resolve("a.safetensors"), false, dir.resolve("a-enc.safetensors"));
            Path ck = dir.resolve("b.safetensors");
            var first = SemTraining.train(m, run, data, ck, false, dir.resolve("b-enc.safetensors"), 5, 0);
            assertEquals(5, first.steps());
            assertFalse(Files.exists(dir.resolve("b-enc.safetensors")), "an unfinished run ships nothing");
            SemTraining.train(m, run, data, ck, true, dir.resolve("b-enc.safetensors"));
            var a = Checkpoint.load(dir.resolve("a-enc.safetensors")).tensors();
            var b = Checkpoint.load(dir.resolve("b-enc.safetensors")).tensors();
            assertEquals(a.keySet(), b.keySet());
            assertTrue(a.keySet().stream().noneMatch(k -> k.startsWith("dino_head.") || k.startsWith("projector.") || k.startsWith("predictor.")),
                    "only the encoder ships");
            assertEquals(c.encoder().resnet(), a.keySet().stream().anyMatch(k -> k.endsWith(".running_var")), "a ResNet ships its BatchNorm statistics");
            for (String k : a.keySet()) {
                assertArrayEquals(a.get(k).floats(), b.get(k).floats(), 1e-5f, k);
            }
            // The last checkpoint's teacher is the shipped encoder.
            SemTraining.exportTeacher(m, ck, data, dir.resolve("x-enc.safetensors"));
            var x = Checkpoint.load(dir.resolve("x-enc.safetensors")).tensors();
            assertEquals(b.keySet(), x.keySet());
            for (String k : b.keySet()) {
                assertArrayEquals(b.get(k).floats(), x.get(k).floats(), 0f, k);
            }
            assertThrows(InvalidInputException.class, () -> SemTraining.exportTeacher(m, dir.resolve("b-enc.safetensors"), data, dir.resolve("y.safetensors")));
            try (TrainedEncoder enc = TrainedEncoder.load(m, dir.resolve("a-enc.safetensors"))) {
                DlcFile codes = enc.codes(data.take(10), 0.5, true);
                assertEquals(10, codes.count());
                codes.write(dir.resolve("codes.safetensors"));
                DlcFile back = DlcFile.read(dir.resolve("codes.safetensors"));
                assertArrayEquals(codes.tokens(), back.tokens());
                assertArrayEquals(codes.labels(), back.labels());
                assertArrayEquals(codes.probs(), back.probs(), 0f);
                assertEquals(enc.sha256(), back.encoderSha());
                var big = new ImageDataset("big", 1, 1, 40, 40, new byte[1600], null, null, List.of());
                assertTrue(assertThrows(InvalidInputException.class, () -> enc.codes(big, 1.0, false)).getMessage().contains("40×40"));
            }
        }
    }

    @Test
    void badCodeFilesAndMismatchedCheckpointsAreNamed() throws Exception {
        int[] tokens = {0, 1, 2, 3, 3, 2};
        new DlcFile(tokens, 3, 4, new int[] {1, 2}, null, 1.0, "abc", "t").write(dir.resolve("ok.safetensors"));
        assertArrayEquals(tokens, DlcFile.read(dir.resolve("ok.safetensors")).tokens());
        // A file that says V = 3 but holds token 3.
        var ck = Checkpoint.load(dir.resolve("ok.safetensors"));
        var extra = new java.util.LinkedHashMap<>(ck.meta().extra());
        extra.put("vocab", "3");
        new Checkpoint(new Checkpoint.Meta(ck.meta().kind(), "", 0, "t", 0, "", "", extra), ck.tensors()).save(dir.resolve("v.safetensors"));
        var e = assertThrows(InvalidInputException.class, () -> DlcFile.read(dir.resolve("v.safetensors")));
        assertTrue(e.getMessage().contains("outside 0..2"), e.getMessage());
        byte[] bytes = Files.readAllBytes(dir.resolve("ok.safetensors"));
        Files.write(dir.resolve("cut.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length - 7));
        assertThrows(InvalidInputException.class, () -> DlcFile.read(dir.resolve("cut.safetensors")));
        // An encoder file whose config says 4×8 while its SEM weights were made for 8×8.
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            new SemEncoder(p, new SemEncoder.Config(32, 1, 8, 0, 32, 2, 2, 2.0, 4, 1e-5, 8, 8, 1.0), new Rng(0));
            var meta = Checkpoint.Meta.current(SemTraining.KIND, new com.google.gson.Gson().toJson(SemEncoder.Config.tiny()), 0, "", 0, java.util.Map.of());
            new Checkpoint(meta, p.toHost("")).save(dir.resolve("enc.safetensors"));
            var e2 = assertThrows(org.dlc4j.util.ModelMismatchException.class, () -> TrainedEncoder.load(m, dir.resolve("enc.safetensors")));
            assertTrue(e2.getMessage().contains("sem_embed"), e2.getMessage());
        }
    }
}
