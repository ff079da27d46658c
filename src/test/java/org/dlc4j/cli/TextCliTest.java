package org.dlc4j.cli;

import static org.dlc4j.cli.CliHarness.assertOneLineError;
import static org.dlc4j.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.TestImages;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitTraining;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.text.TextTraining;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dlc text and dlc generate --prompt: a tiny model trained, sampled and resumed, and bad prompts and steps refused. */
class TextCliTest {
    @TempDir
    static Path dir;

    private static DlcFile codes(int n, long seed) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        return new DlcFile(new Rng(seed).ints(n * 4, 8), 4, 8, labels, null, 1.0, "aaaa", "t");
    }

    private static String s(String name) {
        return dir.resolve(name).toString();
    }

    private static CliHarness.Result train(String out, String checkpoint, String... extra) {
        String[] base = {"text", "train", "--codes", s("train.safetensors"), "--heldout", s("test.safetensors"), "--preset", "tiny", "--epochs", "2",
                "--batch", "8", "--warmup", "2", "--out", s(out), "--checkpoint", s(checkpoint)};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return run(args);
    }

    @BeforeAll
    static void models() {
        codes(40, 2).write(dir.resolve("train.safetensors"));
        codes(20, 3).write(dir.resolve("test.safetensors"));
        var r = train("t2d.safetensors", "t2d-ck.safetensors");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("held-out bound"), r.err());
        var model = DiT.Config.preset("tiny").conditionedOn(Conditioning.DLC, 0, 4, 8, 0);
        try (var m = NDManager.newBaseManager()) {
            DitTraining.train(m, DitTraining.Config.tiny(model, 0), new DitTraining.Data(TestImages.noise(8, 28, 1), codes(8, 1), null, "aaaa"),
                    dir.resolve("dit-ck.safetensors"), false, dir.resolve("dit.safetensors"), Long.MAX_VALUE);
        }
    }

    @Test
    void promptsBecomeCodesThenImagesAndTheSameSeedGivesTheSameCodes() {
        var r = run("text", "sample", "--text-model", s("t2d.safetensors"), "--prompt", "a photo of a sneaker", "--n", "3", "--text-steps", "2",
                "--out", s("a.safetensors"));
        assertEquals(0, r.code(), r.err());
        DlcFile a = DlcFile.read(dir.resolve("a.safetensors"));
        assertEquals(3, a.count());
        assertEquals("aaaa", a.encoderSha(), "codes name the encoder whose codes the model learned");
        for (int t : a.tokens()) {
            assertTrue(t >= 0 && t < 8, "every position unmasked to a real token");
        }
        run("text", "sample", "--text-model", s("t2d.safetensors"), "--prompt", "a photo of a sneaker", "--n", "3", "--text-steps", "2",
                "--out", s("b.safetensors"));
        assertArrayEquals(a.tokens(), DlcFile.read(dir.resolve("b.safetensors")).tokens());
        var g = run("generate", "--prompt", "running shoes", "--text-model", s("t2d.safetensors"), "--dit", s("dit.safetensors"), "--n", "2",
                "--steps", "2", "--remasking", "random", "--text-scale", "2", "--out", s("gen"));
        assertEquals(0, g.code(), g.err());
        assertTrue(Files.exists(dir.resolve("gen").resolve("grid.png")));
        assertEquals(2, DlcFile.read(dir.resolve("gen").resolve("codes.safetensors")).count());
    }

    @Test
    void initWarmStartsTheTextModelFromATrainedOne() {
        // With a vanishing learning rate a run ends where it began: on the given model when warm-started.
        var r = train("t2d-warm.safetensors", "t2d-warm-ck.safetensors", "--lr", "1e-12", "--init", s("t2d.safetensors"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warm-started from " + s("t2d.safetensors")), r.err());
        var trained = Checkpoint.load(dir.resolve("t2d.safetensors")).tensors();
        var warm = Checkpoint.load(dir.resolve("t2d-warm.safetensors")).tensors();
        trained.forEach((name, t) -> assertArrayEquals(t.floats(), warm.get(name).floats(), 1e-6f, name));
        var fresh = train("t2d-fresh.safetensors", "t2d-fresh-ck.safetensors", "--lr", "1e-12");
        assertEquals(0, fresh.code(), fresh.err());
        var f = Checkpoint.load(dir.resolve("t2d-fresh.safetensors")).tensors();
        assertTrue(trained.entrySet().stream().anyMatch(e -> !java.util.Arrays.equals(e.getValue().floats(), f.get(e.getKey()).floats())),
                "without --init the run stays at its own initialisation");
    }

    @Test
    void theHeldOutPromptTableScoresEverySetting() throws Exception {
        assumeTrue(Files.exists(FashionMnist.DEFAULT_DIR.resolve("t10k-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
        var r = run("text", "table", "--text-model", s("t2d.safetensors"), "--dit", s("dit.safetensors"), "--n", "10", "--text-steps", "2,4",
                "--remasking", "random", "--steps", "2", "--codes", s("train.safetensors"), "--out", s("table"));
        assertEquals(0, r.code(), r.err());
        String table = Files.readString(dir.resolve("table").resolve("table.md"));
        assertEquals(4, table.lines().count(), table);
        assertTrue(table.contains("| random | 2 |") && table.contains("| random | 4 |"), table);
        assertTrue(Files.exists(dir.resolve("table").resolve("random-4").resolve("samples.npz")));
    }

    @Test
    void aStoppedRunResumesToTheSameWeights() {
        var first = train("r.safetensors", "r-ck.safetensors", "--stop-at", "3");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("stopped"), first.out());
        var rest = train("r.safetensors", "r-ck.safetensors", "--resume");
        assertEquals(0, rest.code(), rest.err());
        var straight = Checkpoint.load(dir.resolve("t2d.safetensors"), TextTraining.KIND).tensors();
        var resumed = Checkpoint.load(dir.resolve("r.safetensors"), TextTraining.KIND).tensors();
        assertEquals(straight.keySet(), resumed.keySet());
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k).floats(), resumed.get(k).floats(), k);
        }
    }

    @Test
    void badPromptsAndStepsAreRefusedInOneLine() {
        String model = s("t2d.safetensors");
        assertOneLineError(run("text", "sample", "--text-model", model, "--prompt", "  "), "empty");
        assertOneLineError(run("text", "sample", "--text-model", model, "--prompt", "a very ".repeat(20) + "long prompt"), "at most 32");
        assertOneLineError(run("text", "sample", "--text-model", model, "--prompt", "a bag", "--text-steps", "5"), "at most 4");
        assertOneLineError(run("text", "sample", "--text-model", model, "--prompt", "a bag", "--text-steps", "0"), "--text-steps must be at least 1");
        assertOneLineError(run("text", "sample", "--text-model", model, "--prompt", "a bag", "--remasking", "lowest"), "'lowest'");
        assertOneLineError(run("text", "sample", "--text-model", s("missing.safetensors"), "--prompt", "a bag"), "not found");
        assertOneLineError(run("generate", "--prompt", "a bag", "--text-model", model, "--dit", Path.of("models/dit/fmnist-dlc.safetensors").toString()),
                "4×8", "32×64");
        new DlcFile(new int[8], 4, 8, null, null, 1.0, "aaaa", "t").write(dir.resolve("unlabelled.safetensors"));
        assertOneLineError(run("text", "train", "--codes", s("unlabelled.safetensors"), "--preset", "tiny", "--out", s("x.safetensors"),
                "--checkpoint", s("x-ck.safetensors")), "labels");
    }
}
