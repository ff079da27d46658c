package org.dlc4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dlc4j.bench.Bench;
import org.dlc4j.io.JsonTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dlc bench on the tiny sizes: every stage measured on its real code path, the table's ratios, and bad flags. */
class BenchCommandTest {
    @Test
    void tinyBenchMeasuresEveryStageAndTheMemorySlope(@TempDir Path dir) throws Exception {
        var r = CliErrorsTest.run("bench", "--presets", "tiny", "--memory-steps", "40", "--memory-warmup", "20", "--out", dir.toString());
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
    void ratioIsJavaTimeOverPythonTimeAndMfuIsAgainstTheJavaPeak() {
        var peak = new org.dlc4j.bench.BenchSuite.Row();
        peak.java.add(new Bench.Measurement("matmul", "matmul 1024²", "", "GFLOP/s", 100, 1e9, 0.02, 5));
        // 50 images/s at 1 GFLOP per image: 50 GFLOP/s, half the 100 GFLOP/s peak; PyTorch at 40 images/s takes 1.25× the time.
        var train = new org.dlc4j.bench.BenchSuite.Row();
        train.java.add(new Bench.Measurement("dit_train", "DiT training step", "fmnist", "images/s", 50, 1e9, 2.56, 10));
        train.python.add(rate(40));
        String table = org.dlc4j.bench.BenchSuite.table(List.of(peak, train), null, 2, "");
        String row = table.lines().filter(l -> l.startsWith("| DiT training step")).findFirst().orElseThrow();
        assertTrue(row.contains("| 50% |"), row);
        assertTrue(row.contains("| 40.0 | **0.80** |"), row);
    }

    @Test
    void roundsReportTheMedianRatioOfPairedRunsAndItsRange() {
        var peak = new org.dlc4j.bench.BenchSuite.Row();
        var train = new org.dlc4j.bench.BenchSuite.Row();
        // the machine slows in round 2 for both sides: the paired ratios are 0.8, 0.7 and 0.9, their median 0.8
        double[][] javaPython = {{50, 40}, {25, 17.5}, {50, 45}};
        double[] peaks = {100, 60, 80};
        for (int r = 0; r < 3; r++) {
            double[] jp = javaPython[r];
            peak.java.add(new Bench.Measurement("matmul", "matmul 1024²", "", "GFLOP/s", peaks[r], 1e9, 0.02, 5));
            train.java.add(new Bench.Measurement("dit_train", "DiT training step", "fmnist", "images/s", jp[0], 1e9, 2.56, 10));
            train.python.add(rate(jp[1]));
        }
        String table = org.dlc4j.bench.BenchSuite.table(List.of(peak, train), null, 2, "");
        assertTrue(table.contains("medians of 3 rounds"), table);
        String row = table.lines().filter(l -> l.startsWith("| DiT training step")).findFirst().orElseThrow();
        assertTrue(row.contains("| 50.0 | images/s |"), row);
        assertTrue(row.contains("| 40.0 | **0.80** (0.70–0.90) |"), row);
        // MFU against the fastest round's matmul (100 GFLOP/s), not a slow round's
        assertTrue(row.contains("| 50% |"), row);
        assertTrue(table.contains("| matmul 1024² | – | 100 |"), table);
    }

    private static JsonObject rate(double perSecond) {
        JsonObject py = new JsonObject();
        py.addProperty("per_second", perSecond);
        return py;
    }

    @Test
    void badFlagsAreOneLine() {
        CliErrorsTest.assertOneLineError(CliErrorsTest.run("bench", "--presets", "huge"), "no bench preset 'huge'");
        CliErrorsTest.assertOneLineError(CliErrorsTest.run("bench", "--stages", "dit_fly"), "unknown stage 'dit_fly'");
        CliErrorsTest.assertOneLineError(CliErrorsTest.run("bench", "--memory-steps", "-1"), "--memory-steps");
        CliErrorsTest.assertOneLineError(CliErrorsTest.run("bench", "--memory-warmup", "-1"), "--memory-warmup");
        CliErrorsTest.assertOneLineError(CliErrorsTest.run("bench", "--rounds", "0"), "--rounds");
        CliErrorsTest.assertOneLineError(CliErrorsTest.run("bench", "--presets", "tiny", "--stages", "dit_train", "--memory-steps", "0",
                "--compare-python", "--python", "/nonexistent/python3"), "python3-torch");
    }
}
