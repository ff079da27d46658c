package org.dlc4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dlc4j.io.JsonTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dlc bench on the tiny sizes: every stage measured on its real code path, and bad flags. */
class BenchCommandTest {
    @Test
    void tinyBenchMeasuresEveryStageAndTheMemorySlope(@TempDir Path dir) throws Exception {
        var r = CliHarness.run("bench", "--presets", "tiny", "--memory-steps", "40", "--memory-warmup", "20", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String table = Files.readString(dir.resolve("table.md"));
        for (String stage : List.of("matmul 1024²", "DiT training step", "DiT sampling, DDIM 4 |", "DiT sampling, DDIM 4, guided", "SEDD training step",
                "SEDD sampling, analytic 8", "SEM training step", "text-to-DLC sampling")) {
            assertTrue(table.contains("| " + stage), stage + " in\n" + table);
        }
        assertTrue(table.contains("Memory, 40 steps of the tiny DiT after 20 unmeasured"), table);
        assertTrue(Files.size(dir.resolve("bench.json")) > 100);
        // strict JSON: the SEM step's FLOP count is not known (NaN) and is written as null
        var sem = JsonTest.parseStrictly(Files.readString(dir.resolve("bench.json"))).getAsJsonObject().getAsJsonObject("sem_train|tiny");
        assertTrue(sem.getAsJsonArray("java").get(0).getAsJsonObject().get("flopsPerItem").isJsonNull());
    }

    @Test
    void badFlagsAreOneLine() {
        CliHarness.assertOneLineError(CliHarness.run("bench", "--presets", "huge"), "no bench preset 'huge'");
        CliHarness.assertOneLineError(CliHarness.run("bench", "--stages", "dit_fly"), "unknown stage 'dit_fly'");
        CliHarness.assertOneLineError(CliHarness.run("bench", "--memory-steps", "-1"), "--memory-steps");
        CliHarness.assertOneLineError(CliHarness.run("bench", "--memory-warmup", "-1"), "--memory-warmup");
        CliHarness.assertOneLineError(CliHarness.run("bench", "--rounds", "0"), "--rounds");
        CliHarness.assertOneLineError(CliHarness.run("bench", "--presets", "tiny", "--stages", "dit_train", "--memory-steps", "0",
                "--compare-python", "--python", "/nonexistent/python3"), "python3-torch");
    }
}
