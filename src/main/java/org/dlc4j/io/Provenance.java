package org.dlc4j.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Where a result came from: the source revision and the command line, recorded in checkpoints. */
public final class Provenance {
    private Provenance() {}

    private static final long GIT_TIMEOUT_MS = 2000;
    private static volatile String command = "";

    /** Set once by the CLI so every file written during the run can say how it was produced. */
    public static void setCommand(String commandLine) {
        command = commandLine == null ? "" : commandLine;
    }

    public static String command() {
        return command;
    }

    /** The short git commit of the working directory, "-dirty" if tracked files changed, or "unknown". */
    public static String commit() {
        return CommitHolder.COMMIT;
    }

    /** Computed once: git is slow to start and the answer cannot change meaningfully within a run. */
    private static final class CommitHolder {
        static final String COMMIT = detectCommit();
    }

    private static String detectCommit() {
        var head = run(List.of("git", "rev-parse", "--short", "HEAD"));
        if (head.isEmpty() || head.get().exit != 0 || head.get().output.isBlank()) {
            return "unknown";
        }
        // diff exits 1 when tracked files differ from HEAD; untracked files do not count.
        var diff = run(List.of("git", "diff", "--quiet", "HEAD", "--"));
        boolean dirty = diff.isPresent() && diff.get().exit == 1;
        return head.get().output.strip() + (dirty ? "-dirty" : "");
    }

    private record Result(int exit, String output) {}

    private static Optional<Result> run(List<String> command) {
        Process process = null;
        try {
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            process.getOutputStream().close();
            // Outputs here are a few bytes, so waiting before reading cannot deadlock on a full pipe.
            if (!process.waitFor(GIT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
            var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return Optional.of(new Result(process.exitValue(), out));
        } catch (IOException e) {
            return Optional.empty(); // git not installed, or not runnable here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
