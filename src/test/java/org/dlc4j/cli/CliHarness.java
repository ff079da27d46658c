package org.dlc4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code dlc} in this JVM with its output captured, and checks the one-line errors every bad input gets. */
public final class CliHarness {
    private CliHarness() {
    }

    public record Result(int code, String out, String err) {
    }

    public static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    public static void assertOneLineError(Result r, String... fragments) {
        assertNotEquals(0, r.code(), "exit code");
        // Progress lines may come first; the error itself is the one and last "dlc:" line.
        String all = r.err().strip();
        assertFalse(all.contains("\tat "), "no stack trace: " + all);
        assertEquals(1, all.lines().filter(l -> l.startsWith("dlc:")).count(), "one error line, got: " + all);
        String err = all.lines().reduce((a, b) -> b).orElse("");
        assertTrue(err.startsWith("dlc: "), "the error is the last line: " + all);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
    }
}
