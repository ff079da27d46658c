package org.dlc4j.experiments;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark table: the ratio is Java time over Python time, MFU is against the Java peak, rounds give medians. */
class BenchSuiteTest {

    @Test
    void ratioIsJavaTimeOverPythonTimeAndMfuIsAgainstTheJavaPeak() {
        var peak = new BenchSuite.Row();
        peak.java.add(new Bench.Measurement("matmul", "matmul 1024²", "", "GFLOP/s", 100, 1e9, 0.02, 5));
        // 50 images/s at 1 GFLOP per image: 50 GFLOP/s, half the 100 GFLOP/s peak; PyTorch at 40 images/s takes 1.25× the time.
        var train = new BenchSuite.Row();
        train.java.add(new Bench.Measurement("dit_train", "DiT training step", "fmnist", "images/s", 50, 1e9, 2.56, 10));
        train.python.add(rate(40));
        String table = BenchSuite.table(List.of(peak, train), null, 2, "");
        String row = table.lines().filter(l -> l.startsWith("| DiT training step")).findFirst().orElseThrow();
        assertTrue(row.contains("| 50% |"), row);
        assertTrue(row.contains("| 40.0 | **0.80** |"), row);
    }


    @Test
    void roundsReportTheMedianRatioOfPairedRunsAndItsRange() {
        var peak = new BenchSuite.Row();
        var train = new BenchSuite.Row();
        // the machine slows in round 2 for both sides: the paired ratios are 0.8, 0.7 and 0.9, their median 0.8
        double[][] javaPython = {{50, 40}, {25, 17.5}, {50, 45}};
        double[] peaks = {100, 60, 80};
        for (int r = 0; r < 3; r++) {
            double[] jp = javaPython[r];
            peak.java.add(new Bench.Measurement("matmul", "matmul 1024²", "", "GFLOP/s", peaks[r], 1e9, 0.02, 5));
            train.java.add(new Bench.Measurement("dit_train", "DiT training step", "fmnist", "images/s", jp[0], 1e9, 2.56, 10));
            train.python.add(rate(jp[1]));
        }
        String table = BenchSuite.table(List.of(peak, train), null, 2, "");
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
}
