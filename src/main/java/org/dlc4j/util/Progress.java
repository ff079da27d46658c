package org.dlc4j.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long loop: a redrawn bar (step, loss, it/s, ETA) on a terminal, a plain log line every
 * few seconds otherwise (CI logs, nohup files).
 */
public final class Progress implements AutoCloseable {
    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long logEveryNanos;
    private final long start = System.nanoTime();
    private final long startStep;
    private long lastPrint;
    private long step;
    private String extra = "";

    public Progress(String label, long startStep, long total) {
        this(label, startStep, total, System.err, System.console() != null, 10_000_000_000L);
    }

    public Progress(String label, long startStep, long total, PrintStream out, boolean terminal, long logEveryNanos) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.terminal = terminal;
        this.logEveryNanos = logEveryNanos;
        this.startStep = startStep;
        this.step = startStep;
        this.lastPrint = start;
    }

    /** Records that {@code step} steps are done; {@code extra} is shown beside the rate (e.g. "loss 0.123"). */
    public void update(long step, String extra) {
        this.step = step;
        this.extra = extra;
        long now = System.nanoTime();
        if (now - lastPrint >= (terminal ? 200_000_000L : logEveryNanos) || step >= total) {
            lastPrint = now;
            print(now, false);
        }
    }

    private void print(long now, boolean done) {
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? (step - startStep) / secs : 0;
        long etaSecs = rate > 0 ? (long) ((total - step) / rate) : -1;
        String eta = etaSecs < 0 ? "?" : String.format(Locale.ROOT, "%d:%02d", etaSecs / 60, etaSecs % 60);
        String stats = String.format(Locale.ROOT, "%d/%d %s %.1f it/s ETA %s", step, total, extra, rate, eta);
        if (terminal) {
            int width = 24;
            int filled = total > 0 ? (int) (width * Math.min(1.0, (double) step / total)) : 0;
            String bar = "#".repeat(filled) + ".".repeat(width - filled);
            out.print("\r" + label + " [" + bar + "] " + stats + "   ");
            if (done) {
                out.println();
            }
        } else {
            out.println(label + ": " + stats);
        }
        out.flush();
    }

    @Override
    public void close() {
        if (terminal) {
            print(System.nanoTime(), true);
        }
    }
}
