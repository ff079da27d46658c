package org.dlc4j.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's memory as the kernel counts it (Linux {@code /proc}), for the benchmarks and the load test. */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** The resident set size and its peak, in kB; NaN where /proc is not there. */
    public static double[] rssKb() {
        try {
            double rss = Double.NaN;
            double peak = Double.NaN;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Double.parseDouble(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("VmHWM:")) {
                    peak = Double.parseDouble(line.replaceAll("[^0-9]", ""));
                }
            }
            return new double[] {rss, peak};
        } catch (IOException | UncheckedIOException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }
}
