package org.dlc4j.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.dit.DitRecipe;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.JsonTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain on tiny models and 512 images: every stage runs and the report holds every target; a run killed with
 * SIGKILL in the middle of the DiT stage and started again ends with the same weights as the run that was never
 * killed; budgets end a stage early with its model written.
 */
class ChainTest {
    static final Chain.Stage[] TRAINED = {Chain.Stage.ENCODER, Chain.Stage.DIT_DLC, Chain.Stage.DIT_NONE, Chain.Stage.PRIOR, Chain.Stage.TEXT};

    static Chain.Settings quick(Path out) {
        return new Chain.Settings(out, FashionMnist.DEFAULT_DIR, null, true, 0, Set.of(), Map.of(), null, DitRecipe.FAST, Map.of());
    }

    @Test
    void quickChainRunsResumesAfterAKillAndKeepsItsBudgets(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        List<Chain.Target> targets;
        try (NDManager m = NDManager.newBaseManager()) {
            targets = new Chain(m, quick(straight)).run();
        }
        assertEquals(6, targets.size());
        String md = Files.readString(straight.resolve("report.md"));
        for (Chain.Target t : targets) {
            assertTrue(md.contains("| " + t.name() + " |"), t.name());
            assertTrue(Double.isFinite(t.value()), t.name() + " measured");
        }
        var json = JsonTest.parseStrictly(Files.readString(straight.resolve("report.json"))).getAsJsonObject();
        assertEquals(6, json.getAsJsonArray("targets").size());

        // Killed (SIGKILL) once the DiT stage has written a checkpoint, then run again to the end.
        Path killed = dir.resolve("killed");
        Process first = cli(killed);
        Path ckpt = killed.resolve("dit/train-dit-dlc.safetensors");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!Files.exists(ckpt) && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(first.isAlive() && Files.exists(ckpt), "the child reached the DiT stage");
        first.destroyForcibly().waitFor();
        assertTrue(!Files.exists(killed.resolve("dit/dlc.safetensors")), "killed before the stage's end");
        Process second = cli(killed);
        assertTrue(second.waitFor(20, TimeUnit.MINUTES), "the second run ends");
        assertEquals(0, second.exitValue(), new String(second.getInputStream().readAllBytes()));
        var chain = new Chain(null, quick(killed));
        for (Chain.Stage st : TRAINED) {
            assertSameWeights(new Chain(null, quick(straight)).model(st), chain.model(st));
        }

        // Budgets: items seen end every training stage early, with its model written.
        Path budgeted = dir.resolve("budgeted");
        Files.createDirectories(budgeted);
        for (String sub : new String[] {"sem", "codes"}) {
            copyTree(straight.resolve(sub), budgeted.resolve(sub));
        }
        var limits = Map.of(Chain.Stage.DIT_DLC, new Chain.Budget(0, 16), Chain.Stage.DIT_NONE, new Chain.Budget(0, 16),
                Chain.Stage.PRIOR, new Chain.Budget(0, 16), Chain.Stage.TEXT, new Chain.Budget(0, 16));
        // ... and the DLC DiT warm-starts from the straight run's model: two steps leave it near those weights, while the
        // unconditional DiT, started afresh, is far from its straight twin.
        var warm = Map.of(Chain.Stage.DIT_DLC, straight.resolve("dit/dlc.safetensors"));
        try (NDManager m = NDManager.newBaseManager()) {
            new Chain(m, new Chain.Settings(budgeted, FashionMnist.DEFAULT_DIR, null, true, 0, Set.of(), limits, null, DitRecipe.FAST, warm)).run();
            try (TrainedDit dit = TrainedDit.load(m, budgeted.resolve("dit/dlc.safetensors"))) {
                assertEquals(16, dit.imagesSeen(), "two steps of 8, then the stage ended and wrote its model");
            }
        }
        double warmGap = distance(straight.resolve("dit/dlc.safetensors"), budgeted.resolve("dit/dlc.safetensors"));
        double freshGap = distance(straight.resolve("dit/none.safetensors"), budgeted.resolve("dit/none.safetensors"));
        assertTrue(warmGap < freshGap / 4, "warm-started " + warmGap + " against fresh " + freshGap);
        var features = Map.of(Chain.Stage.FEATURES, straight.resolve("eval/features.safetensors"));
        assertThrows(org.dlc4j.util.InvalidInputException.class,
                () -> new Chain.Settings(budgeted, FashionMnist.DEFAULT_DIR, null, true, 0, Set.of(), limits, null, DitRecipe.FAST, features));
    }

    @Test
    void aFolderHoldsOneChain(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("chain.json"), "{\"quick\":false,\"seed\":0}\n");
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.dlc4j.util.ModelMismatchException.class,
                () -> new Chain(null, quick(dir)).run());
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void aGivenEncoderDoesNotReplaceOneTheFolderTrained(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sem"));
        Files.writeString(dir.resolve("sem/train-encoder.safetensors"), "a checkpoint");
        Path given = org.dlc4j.util.Home.models().resolve("sem/fmnist-sem-32x64.safetensors");
        var settings = new Chain.Settings(dir, FashionMnist.DEFAULT_DIR, null, true, 0, Set.of(), Map.of(), given, DitRecipe.FAST, Map.of());
        var e = assertThrows(org.dlc4j.util.InvalidInputException.class, () -> new Chain(null, settings).run());
        assertTrue(e.getMessage().contains("trained its own encoder"), e.getMessage());
    }

    /** {@code dlc chain --quick --out DIR} in its own JVM, as a user runs it. */
    static Process cli(Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", cp, "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
                "-Dai.djl.pytorch.num_interop_threads=1", "-Ddlc4j.home=" + System.getProperty("dlc4j.home", "."), "org.dlc4j.cli.Main", "chain",
                "--quick", "--out", out.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    static void assertSameWeights(Path a, Path b) {
        Map<String, HostTensor> x = Checkpoint.load(a).tensors();
        Map<String, HostTensor> y = Checkpoint.load(b).tensors();
        assertEquals(x.keySet(), y.keySet(), b.toString());
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k).floats(), y.get(k).floats(), b + ": " + k);
        }
    }

    /** The L2 distance between two models' weights. */
    static double distance(Path a, Path b) {
        Map<String, HostTensor> x = Checkpoint.load(a).tensors();
        Map<String, HostTensor> y = Checkpoint.load(b).tensors();
        double sum = 0;
        for (String k : x.keySet()) {
            float[] p = x.get(k).floats();
            float[] q = y.get(k).floats();
            for (int i = 0; i < p.length; i++) {
                sum += (p[i] - q[i]) * (double) (p[i] - q[i]);
            }
        }
        return Math.sqrt(sum);
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }
}
