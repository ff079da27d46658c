package org.dlc4j.experiments;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dlc4j.diffusion.gaussian.BetaSchedule;
import org.dlc4j.io.JsonTest;
import org.dlc4j.toy.KlEstimator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dlc4j.diffusion.gaussian.BetaSchedule;
import org.dlc4j.io.JsonTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole study end to end on a tiny setting: every output is written and a seed fixes the numbers. */
class ToyStudyTest {
    static ToyStudy.Config tiny(long seed) {
        return new ToyStudy.Config(List.of(9), List.of(ToyStudy.Variant.values()), 1.0, 0.1, 16, 4, 128, 30, 2e-3,
                BetaSchedule.LINEAR, 1000, 10, 600, 300, 2000, KlEstimator.Bandwidth.silverman(), 50, 6, 0.9, 20, seed);
    }

    static List<ToyStudy.Row> run(Path out, long seed) {
        try (NDManager m = NDManager.newBaseManager()) {
            return new ToyStudy(tiny(seed), m, out, false).run();
        }
    }

    @Test
    void writesEveryOutputAndIsDeterministic(@TempDir Path dir) throws Exception {
        List<ToyStudy.Row> a = run(dir.resolve("a"), 7);
        List<ToyStudy.Row> b = run(dir.resolve("b"), 7);
        assertEquals(3, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).kl(), b.get(i).kl(), 1e-9, "same seed, same KL for " + a.get(i).variant());
            assertTrue(Double.isFinite(a.get(i).kl()));
        }
        for (String f : List.of("results.csv", "results.json", "kl-vs-modes.png", "index.html", "heatmap-unconditional.png",
                "heatmap-oracle.png", "scatter-N9-data.png", "scatter-N9-unconditional.png", "scatter-N9-oracle.png",
                "scatter-N9-gmm.png", "checkpoints/toy-N9-gmm.safetensors")) {
            assertTrue(Files.size(dir.resolve("a").resolve(f)) > 0, f);
        }
        // strict JSON: Silverman's rule has no fixed bandwidth (NaN), written as null
        var results = JsonTest.parseStrictly(Files.readString(dir.resolve("a/results.json"))).getAsJsonObject();
        assertTrue(results.getAsJsonObject("config").getAsJsonObject("bandwidth").get("fixed").isJsonNull());
        List<ToyStudy.Row> c = run(dir.resolve("c"), 8);
        assertTrue(c.get(0).kl() != a.get(0).kl(), "another seed gives other samples");
    }
}
