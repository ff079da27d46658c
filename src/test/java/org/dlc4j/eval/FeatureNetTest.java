package org.dlc4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature network without the shipped weights: shapes, learning, pinning, input handling. */
class FeatureNetTest {
    /** Two classes a CNN separates at once: a bright square top-left or bottom-right. */
    static ImageDataset squares(int n, long seed) {
        Rng rng = new Rng(seed);
        byte[] px = new byte[n * 28 * 28];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(2);
            int y0 = labels[i] == 0 ? 3 + rng.nextInt(4) : 17 + rng.nextInt(4);
            int x0 = labels[i] == 0 ? 3 + rng.nextInt(4) : 17 + rng.nextInt(4);
            for (int y = y0; y < y0 + 8; y++) {
                for (int x = x0; x < x0 + 8; x++) {
                    px[i * 784 + y * 28 + x] = (byte) (150 + rng.nextInt(100));
                }
            }
        }
        return new ImageDataset("squares", n, 1, 28, 28, px, labels, null, List.of());
    }

    @Test
    void trainingLearnsAndShipsEmaWeightsThatLoadBackUnpinnedOnly(@TempDir Path dir) {
        var net = FeatureNet.Config.tiny();
        var config = new FeatureTraining.Config(net, 4, 32, 3e-3, 0, 0.5, 5, 0, 7, false);
        try (NDManager m = NDManager.newBaseManager()) {
            Path out = dir.resolve("net.safetensors");
            var r = FeatureTraining.train(m, config, squares(640, 1), squares(200, 2), dir.resolve("ckpt.safetensors"), false, out);
            assertTrue(r.testAccuracy() > 0.9, "accuracy " + r.testAccuracy());
            assertEquals(4L * 640 / 32, r.steps());
            var e = assertThrows(InvalidInputException.class, () -> FeatureNet.load(m, out, false));
            assertEquals("allow-unpinned", e.parameter(), e.getMessage());
            try (FeatureNet loaded = FeatureNet.load(m, out, true)) {
                FeatureSet f = loaded.embed(squares(200, 2), 64);
                assertEquals(r.testAccuracy(), f.accuracy(), 1e-9, "the file holds the weights that were scored");
                assertEquals(32, f.pool().dim());
                assertEquals(2 * 49, f.spatial().dim());
                assertEquals(200 * 10, f.probs().length);
                assertEquals(64, loaded.sha256().length());
            }
        }
    }

    /**
     * Pictures without classes: VICReg on two crops. The network ships with no classes (no IS, no accuracy, even when the
     * scored images carry labels), and its features are not collapsed: the hidden classes are their nearest neighbours'.
     */
    @Test
    void theSelfSupervisedNetworkLearnsWithoutClasses(@TempDir Path dir) {
        var net = new FeatureNet.Config(8, 32, 0, 0, 2, 1, 28, 64);
        var config = new FeatureTraining.Config(net, 3, 32, 3e-3, 0, 0.5, 5, 0, 7, false);
        ImageDataset unlabelled = squares(320, 1).withLabels(null, List.of());
        try (NDManager m = NDManager.newBaseManager()) {
            Path out = dir.resolve("ssl.safetensors");
            var r = FeatureTraining.train(m, config, unlabelled, squares(100, 2).withLabels(null, List.of()), dir.resolve("ckpt.safetensors"), false, out);
            assertTrue(Double.isNaN(r.testAccuracy()), "no classes, no accuracy");
            assertEquals(3L * 320 / 32, r.steps());
            try (FeatureNet loaded = FeatureNet.load(m, out, true)) {
                assertTrue(loaded.config().isSelfSupervised());
                ImageDataset test = squares(200, 3);
                FeatureSet f = loaded.embed(test, 64);
                assertEquals(0, f.probs().length);
                assertTrue(Double.isNaN(f.accuracy()), "labels do not make a classifier of it");
                FeatureSet ref = loaded.embed(squares(200, 4), 64);
                var report = Evaluator.evaluate("test", f, ReferenceStats.compute("ref", ref, loaded.sha256(), m), ref, new Evaluator.Options(10, 100, 10, 3, 1),
                        m);
                assertTrue(Double.isNaN(report.isMean()) && Double.isNaN(report.accuracy()), report.toString());
                assertTrue(Double.isFinite(report.fd()) && Double.isFinite(report.precision()), report.toString());
                assertTrue(Evaluator.table(List.of(report)).contains("| – | "), "undefined metrics print as a dash");
                assertTrue(nearestNeighbourAccuracy(f, ref) > 0.9, "features keep the classes apart: " + nearestNeighbourAccuracy(f, ref));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new FeatureNet.Config(8, 32, 10, 0, 2, 1, 28, 64), "classes and a projection");
        assertThrows(IllegalArgumentException.class, () -> new FeatureTraining.Config(net, 1, 8, 1e-3, 0, 0.5, 0, 0, 1, true), "balancing without classes");
    }

    /** The fraction of {@code f}'s rows whose nearest row of {@code ref} (squared distance of pool features) has its label. */
    private static double nearestNeighbourAccuracy(FeatureSet f, FeatureSet ref) {
        int hit = 0;
        int d = f.pool().dim();
        for (int i = 0; i < f.size(); i++) {
            int best = -1;
            double bestDist = Double.POSITIVE_INFINITY;
            for (int j = 0; j < ref.size(); j++) {
                double dist = 0;
                for (int k = 0; k < d; k++) {
                    double diff = f.pool().data()[i * d + k] - ref.pool().data()[j * d + k];
                    dist += diff * diff;
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = j;
                }
            }
            hit += f.labels()[i] == ref.labels()[best] ? 1 : 0;
        }
        return hit / (double) f.size();
    }

    @Test
    void paddedImagesGiveTheSameFeaturesAsTheOriginals() {
        try (NDManager m = NDManager.newBaseManager(); FeatureNet net = new FeatureNet(m, FeatureNet.Config.tiny(), new Rng(3))) {
            ImageDataset small = squares(20, 5);
            FeatureSet a = net.embed(small, 8);
            FeatureSet b = net.embed(small.padTo(32), 8);
            assertArrayEquals(a.pool().data(), b.pool().data(), 1e-6f);
        }
    }

    @Test
    void wrongInputsAreRefusedWithTheFix() {
        try (NDManager m = NDManager.newBaseManager(); FeatureNet net = new FeatureNet(m, FeatureNet.Config.tiny(), new Rng(3))) {
            var rgb = new ImageDataset("rgb", 2, 3, 28, 28, new byte[2 * 3 * 784], null, null, List.of());
            assertTrue(assertThrows(InvalidInputException.class, () -> net.embed(rgb, 8)).getMessage().contains("greyscale"));
            var odd = new ImageDataset("odd", 2, 1, 20, 20, new byte[2 * 400], null, null, List.of());
            assertTrue(assertThrows(InvalidInputException.class, () -> net.embed(odd, 8)).getMessage().contains("28×28"));
            var empty = new ImageDataset("empty", 0, 1, 28, 28, new byte[0], null, null, List.of());
            assertTrue(assertThrows(InvalidInputException.class, () -> net.embed(empty, 8)).getMessage().contains("no images"));
        }
    }

    @Test
    void aColourNetworkReadsItsOwnChannelsAndSize(@TempDir Path dir) throws Exception {
        var c = new FeatureNet.Config(8, 32, 4, 0.1, 2, 3, 32, 0);
        assertEquals(2 * 8 * 8, c.spatialDim());
        var colour = new ImageDataset("colour", 3, 3, 32, 32, new byte[3 * 3 * 1024], new int[] {0, 1, 3}, null, List.of());
        try (NDManager m = NDManager.newBaseManager(); FeatureNet net = new FeatureNet(m, c, new Rng(3))) {
            FeatureSet f = net.embed(colour, 2);
            assertEquals(3, f.pool().rows());
            assertEquals(32, f.pool().dim());
            var grey = new ImageDataset("grey", 2, 1, 32, 32, new byte[2 * 1024], null, null, List.of());
            assertTrue(assertThrows(InvalidInputException.class, () -> net.embed(grey, 8)).getMessage().contains("reads 3 (colour)"));
            var small = new ImageDataset("small", 1, 3, 28, 28, new byte[3 * 784], null, null, List.of());
            assertTrue(assertThrows(InvalidInputException.class, () -> net.embed(small, 8)).getMessage().contains("32×32"));
            Path file = dir.resolve("colour.safetensors");
            new org.dlc4j.io.Checkpoint(org.dlc4j.io.Checkpoint.Meta.current(FeatureNet.KIND, org.dlc4j.io.Json.GSON.toJson(c), 0, "colour", 0,
                    java.util.Map.of()), net.params().toHost("")).save(file);
            try (FeatureNet back = FeatureNet.load(m, file, true)) {
                assertEquals(c, back.config(), "channels and size travel with the file");
            }
        }
        var old = org.dlc4j.io.Json.read("{\"width\":32,\"features\":256,\"classes\":10,\"dropout\":0.3,\"spatialChannels\":16}",
                FeatureNet.Config.class);
        assertEquals(FeatureNet.Config.fmnist(), old, "a file written before channels and size is Fashion-MNIST's");
    }

    @Test
    void shiftsRepeatTheEdgeAndFlipsMirror() {
        float[] img = new float[2 * 4 * 4];
        for (int i = 0; i < img.length; i++) {
            img[i] = i;
        }
        float[] out = FeatureTraining.augment(img, 1, 2, 4, new Rng(5));
        java.util.Set<Float> in = new java.util.HashSet<>();
        for (float v : img) {
            in.add(v);
        }
        for (int i = 0; i < 16; i++) {
            assertTrue(in.contains(out[i]) && out[i] < 16, "channel 0 takes channel 0's pixels only");
            assertTrue(out[16 + i] >= 16, "channel 1 takes channel 1's pixels only");
            assertEquals(out[i] + 16, out[16 + i], 1e-6, "both channels moved alike");
        }
    }

    @Test
    void aForeignCheckpointIsNotAFeatureNetwork(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("other.safetensors");
        new Checkpoint(Checkpoint.Meta.current("toy-mlp", "{}", 0, "", 0, Map.of()), new java.util.LinkedHashMap<>()).save(p);
        try (NDManager m = NDManager.newBaseManager()) {
            var e = assertThrows(org.dlc4j.util.ModelMismatchException.class, () -> FeatureNet.load(m, p, true));
            assertTrue(e.getMessage().contains("feature-net"), e.getMessage());
        }
        assertTrue(Files.exists(p));
    }
}
