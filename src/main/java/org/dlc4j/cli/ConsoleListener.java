package org.dlc4j.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.util.Listener;

/**
 * What the CLI shows of the library's long work, on stderr: a redrawn bar (step, loss, it/s, ETA) on a terminal, a
 * plain log line every few seconds otherwise (CI logs, nohup files), and every message on its own line.
 */
final class ConsoleListener implements Listener {
    private final PrintStream out;
    private final boolean terminal;
    private final long logEveryNanos;
    private final Map<String, Bar> bars = new HashMap<>();

    ConsoleListener() {
        this(System.err, System.console() != null, 10_000_000_000L);
    }

    ConsoleListener(PrintStream out, boolean terminal, long logEveryNanos) {
        this.out = out;
        this.terminal = terminal;
        this.logEveryNanos = logEveryNanos;
    }

    @Override
    public void message(String line) {
        if (terminal && !bars.isEmpty()) {
            out.println();  // leave the bar's line
        }
        out.println(line);
        out.flush();
    }

    @Override
    public void progress(String task, long step, long total, String status) {
        long now = System.nanoTime();
        Bar bar = bars.computeIfAbsent(task, t -> new Bar(now, step));
        bar.step = step;
        bar.total = total;
        bar.status = status;
        if (now - bar.lastPrint >= (terminal ? 200_000_000L : logEveryNanos) || step >= total) {
            bar.lastPrint = now;
            print(task, bar, now, false);
        }
    }

    @Override
    public void done(String task) {
        Bar bar = bars.remove(task);
        if (bar != null && terminal) {
            print(task, bar, System.nanoTime(), true);
        }
    }

    private void print(String task, Bar bar, long now, boolean done) {
        double secs = (now - bar.start) / 1e9;
        double rate = secs > 0 ? (bar.step - bar.startStep) / secs : 0;
        long etaSecs = rate > 0 ? (long) ((bar.total - bar.step) / rate) : -1;
        String eta = etaSecs < 0 ? "?" : String.format(Locale.ROOT, "%d:%02d", etaSecs / 60, etaSecs % 60);
        String stats = String.format(Locale.ROOT, "%d/%d%s %.1f it/s ETA %s", bar.step, bar.total, bar.status.isEmpty() ? "" : " " + bar.status,
                rate, eta);
        if (terminal) {
            int width = 24;
            int filled = bar.total > 0 ? (int) (width * Math.min(1.0, (double) bar.step / bar.total)) : 0;
            out.print("\r" + task + " [" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + stats + "   ");
            if (done) {
                out.println();
            }
        } else {
            out.println(task + ": " + stats);
        }
        out.flush();
    }

    /** One loop's timing: when and at which step it started, and what was last shown. */
    private static final class Bar {
        final long start;
        final long startStep;
        long lastPrint;
        long step;
        long total;
        String status = "";

        Bar(long start, long startStep) {
            this.start = start;
            this.startStep = startStep;
            this.lastPrint = start;
        }
    }
}
