package org.dlc4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Python snippets for interoperability tests; skips (not fails) when Python or a module is missing. */
final class PythonSupport {
    private PythonSupport() {}

    static void assumeModule(String module) {
        assumeTrue(exec(List.of("python3", "-c", "import " + module)).exit == 0, "python3 with " + module + " not available");
    }

    /** Runs {@code script} with the paths as sys.argv[1:], asserts success and returns stdout. */
    static String run(String script, Path... args) throws IOException {
        var command = new ArrayList<>(List.of("python3", "-c", script));
        for (var a : args) {
            command.add(a.toString());
        }
        var result = exec(command);
        assertEquals(0, result.exit, () -> "python failed: " + result.output);
        return result.output;
    }

    private record Result(int exit, String output) {}

    private static Result exec(List<String> command) {
        try {
            var log = Files.createTempFile("dlc4j-python", ".log");
            try {
                var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return new Result(-1, "timeout");
                }
                return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }
}
