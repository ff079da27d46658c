package org.dlc4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dlc4j.util.Home;
import org.junit.jupiter.api.Test;

/** The load test, small: it finishes by itself, counts every request, and a well-behaved server has no errors. */
class LoadTestTest {
    @Test
    void aSmallLoadEndsWithoutErrorsAndReportsItsFigures() {
        var report = LoadTest.run(new LoadTest.Options(Home.models(), 3, 4, 2, 1, 1, 1, 3));
        assertEquals(3 * 4 * 2, report.requests());
        assertEquals(0, report.errors(), report.errorSamples().toString());
        int answered = report.statuses().getOrDefault(200, 0) + report.statuses().getOrDefault(503, 0);
        assertEquals(report.requests(), answered, "every request answered 200, or 503 when the queue of 1 was full: " + report.statuses());
        assertTrue(report.statuses().getOrDefault(200, 0) > 0);
        assertEquals(3, report.rssMb().length, "after the warm-up and after each round");
        assertEquals(3, report.heapMb().length);
        assertTrue(report.overall().p50Ms() > 0 && report.overall().p95Ms() >= report.overall().p50Ms());
        assertTrue(report.markdown().contains("| all (200s) |"));
    }
}
