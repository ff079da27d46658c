package org.dlc4j.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DitCurveTest {
    @Test
    void aRowSurvivesTheCsvAndItsKeySeparatesSamplingSettings() {
        var row = new DitCurve.Row("out/dit/train-dlc-step000468.safetensors", "ab12", "dlc", 59_904, 812, 1000, "ddim 25", 25, 3.0, 283.0259,
                6.014745, 0.208);
        var back = DitCurve.Row.parse(row.csv());
        assertEquals(row, back);
        var unguided = new DitCurve.Row(row.model(), row.sha(), "dlc", 59_904, 812, 1000, "ddim 25", 25, 1.0, 1, 1, 1);
        assertNotEquals(row.key(), unguided.key(), "a guided and an unguided score of one model are two rows");
        var none = new DitCurve.Row("none.safetensors", "cd34", "none", 1, Double.NaN, 1000, "ddim 25", 25, 1.0, 300, 6, Double.NaN);
        assertTrue(Double.isNaN(DitCurve.Row.parse(none.csv()).accuracy()), "an unconditional model has no accuracy");
    }

    @Test
    void aForeignOrMalformedCurveFileIsRefusedWithItsName(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("curve.csv");
        Files.writeString(csv, "something else\n");
        var e = assertThrows(InvalidInputException.class, () -> DitCurve.readRows(csv));
        assertTrue(e.getMessage().contains("curve.csv") && "out".equals(e.parameter()), e.getMessage());
        Files.writeString(csv, DitCurve.HEADER + "\nmodel,sha,dlc,notanumber\n");
        e = assertThrows(InvalidInputException.class, () -> DitCurve.readRows(csv));
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    }

    @Test
    void aCurveWrittenBeforeTrainingSecondsWereRecordedStillReads(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("curve.csv");
        Files.writeString(csv, DitCurve.OLD_HEADER + "\nm.safetensors,ab12,dlc,59904,1000,ddim 25,25,3.000,283.0259,6.014745,0.2080\n");
        var row = DitCurve.readRows(csv).values().iterator().next();
        assertEquals(59_904, row.imagesSeen());
        assertTrue(Double.isNaN(row.trainSeconds()) && row.fd() == 283.0259 && row.accuracy() == 0.208, row.toString());
    }
}
