package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dlc4j.bench.Bench;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dlc bench}: every stage's throughput for the shipped sizes and the tiny ones, its model FLOP/s as a share of a
 * matmul peak measured in the same run (MFU), the resident memory over a training run, and — with
 * {@code --compare-python} — the same measurements of bench/reference.py in PyTorch, run by this command after its own,
 * with the ratio Java time / Python time.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Throughput (images, tokens or codes per second), MFU against a measured matmul peak and memory of every stage;"
                + " --compare-python runs bench/reference.py (PyTorch) in the same invocation and prints Java time / Python time.")
final class BenchCommand implements Callable<Integer> {
    static final List<String> STAGES = List.of("dit_train", "dit_sample", "dit_sample_guided", "sedd_train", "sedd_sample", "sem_train", "text_sample");

    @Mixin
    CommonOptions common;

    @Option(names = "--presets", split = ",", defaultValue = "fmnist,tiny", description = "Model sizes: fmnist (the shipped ones), tiny (default: ${DEFAULT-VALUE}).")
    List<String> presets;

    @Option(names = "--stages", split = ",", description = "Stages to time (default: all): " + "dit_train, dit_sample, dit_sample_guided, sedd_train,"
            + " sedd_sample, sem_train, text_sample.")
    List<String> stages;

    @Option(names = "--memory-steps", defaultValue = "2000", description = "Tiny DiT training steps for the RSS slope; 0 skips it (default: ${DEFAULT-VALUE}).")
    int memorySteps;

    @Option(names = "--compare-python", description = "Also run bench/reference.py (PyTorch) on the same shapes and threads and print the ratios.")
    boolean comparePython;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for --compare-python (default: ${DEFAULT-VALUE},"
            + " Debian's python3-torch).")
    String python;

    @Option(names = "--out", defaultValue = "out/bench", description = "Folder for table.md and bench.json (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<Bench.Preset> chosen = new ArrayList<>();
        for (String p : presets) {
            try {
                chosen.add(Bench.Preset.of(p));
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
            }
        }
        List<String> todo = stages != null ? stages : STAGES;
        for (String s : todo) {
            if (!STAGES.contains(s)) {
                throw new UserException("unknown stage '" + s + "': use some of " + String.join(", ", STAGES));
            }
        }
        if (memorySteps < 0) {
            throw new UserException("--memory-steps must be 0 (skip) or more, not " + memorySteps);
        }
        Path script = home().resolve("bench/reference.py");
        if (comparePython && !Files.isRegularFile(script)) {
            throw new UserException(script + " not found: run dlc bench from a dlc4j checkout, or drop --compare-python");
        }
        int threads = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
        List<Bench.Measurement> java = new ArrayList<>();
        Bench.Memory memory = null;
        Path tmp = Files.createTempDirectory("dlc-bench");
        try (NDManager manager = common.newManager()) {
            Bench.Measurement peak = Bench.matmul(manager, 9);
            report(peak, peak);
            java.add(peak);
            for (Bench.Preset p : chosen) {
                for (String stage : todo) {
                    Bench.Measurement m = switch (stage) {
                        case "dit_train" -> Bench.ditTrain(manager, p.dit(), p.plan(), tmp);
                        case "dit_sample" -> Bench.ditSample(manager, p.dit(), p.plan(), false);
                        case "dit_sample_guided" -> Bench.ditSample(manager, p.dit(), p.plan(), true);
                        case "sedd_train" -> Bench.seddTrain(manager, p.sedd(), p.plan(), tmp);
                        case "sedd_sample" -> Bench.seddSample(manager, p.sedd(), p.plan());
                        case "sem_train" -> Bench.semTrain(manager, p.name(), p.plan(), tmp);
                        case "text_sample" -> {
                            try (TextEncoder encoder = TextEncoder.load()) {
                                yield Bench.textSample(manager, p.text(), p.plan(), encoder);
                            }
                        }
                        default -> throw new IllegalStateException(stage);
                    };
                    report(m, peak);
                    java.add(m);
                }
            }
            if (memorySteps > 0) {
                memory = Bench.memory(manager, "tiny", 8, memorySteps, tmp);
                System.out.printf(Locale.ROOT, "memory: %,d tiny DiT steps in %.0f s, RSS %.0f → %.0f MB, peak %.0f MB, slope %.3f MB per 100 steps"
                        + " (outside the Java heap %.3f)%n", memory.steps(), memory.seconds(), memory.startMb(), memory.endMb(), memory.peakMb(),
                        memory.slopeMbPer100Steps(), memory.nativeSlopeMbPer100Steps());
            }
        } finally {
            deleteTree(tmp);
        }
        Map<String, JsonObject> py = new LinkedHashMap<>();
        String pyInfo = "";
        if (comparePython) {
            for (Bench.Preset p : chosen) {
                JsonObject r = runPython(script, p, threads, todo);
                List<String> libs = new ArrayList<>();
                r.getAsJsonObject("blas").getAsJsonArray("loaded").forEach(e -> libs.add(Path.of(e.getAsString()).getFileName().toString()));
                pyInfo = String.format(Locale.ROOT, "PyTorch %s (Python %s), BLAS %s", r.get("torch").getAsString(), r.get("python").getAsString(),
                        String.join(" ", libs));
                for (var e : r.getAsJsonObject("results").entrySet()) {
                    // keyed as the Java measurement is: by its model preset (DiT-T/4, SEDD-T, tiny)
                    String model = e.getKey().equals("matmul") ? "" : e.getKey().startsWith("sedd") ? p.sedd() : p.dit();
                    // the matmul peak is measured once per preset run: keep the highest, as MFU's ceiling
                    py.merge(key(e.getKey(), model), e.getValue().getAsJsonObject(),
                            (a, b) -> a.get("per_second").getAsDouble() >= b.get("per_second").getAsDouble() ? a : b);
                }
            }
        }
        String md = table(java, py, memory, threads, pyInfo);
        Files.createDirectories(out);
        ComposeStudyCommand.write(out.resolve("table.md"), md);
        ComposeStudyCommand.write(out.resolve("bench.json"), new com.google.gson.GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(Map.of("java", java, "python", py, "memory",
                memory == null ? Map.of() : memory)));
        System.out.print(md);
        System.out.println("wrote " + out.resolve("table.md") + " and " + out.resolve("bench.json"));
        return 0;
    }

    private static String key(String stage, String preset) {
        return stage + "|" + preset;
    }

    private static void report(Bench.Measurement m, Bench.Measurement peak) {
        System.out.printf(Locale.ROOT, "%s%s: %.1f %s%s%n", m.name(), m.preset().isEmpty() ? "" : " (" + m.preset() + ")", m.perSecond(), m.unit(),
                Double.isNaN(m.flopsPerItem()) || m == peak ? "" : String.format(Locale.ROOT, ", %.1f GFLOP/s, MFU %.0f%%", m.flopsPerSecond() / 1e9,
                        100 * m.flopsPerSecond() / (peak.perSecond() * 1e9)));
    }

    /** The glibc malloc variables both sides run with (./dlc sets them; the Python reference inherits them). */
    static String mallocSettings() {
        String set = java.util.stream.Stream.of("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
                .filter(k -> System.getenv(k) != null).map(k -> k + "=" + System.getenv(k)).collect(java.util.stream.Collectors.joining(" "));
        return set.isEmpty() ? "defaults" : set + " (both sides)";
    }

    /** The README table: one row per measurement; MFU against the Java matmul peak; the ratio is Java time over Python time. */
    static String table(List<Bench.Measurement> java, Map<String, JsonObject> py, Bench.Memory memory, int threads, String pyInfo) {
        double peak = java.get(0).perSecond() * 1e9;
        StringBuilder sb = new StringBuilder();
        // DJL's CPU libtorch is PyTorch's official build, whose BLAS is MKL linked into libtorch_cpu.so.
        sb.append(String.format(Locale.ROOT, "%d threads; dlc4j on Java %s, libtorch %s (DJL), BLAS MKL inside libtorch_cpu%s; glibc malloc %s%n%n",
                threads, System.getProperty("java.version"), ai.djl.engine.Engine.getInstance().getVersion(), pyInfo.isEmpty() ? "" : "; " + pyInfo,
                mallocSettings()));
        sb.append("| stage | preset | dlc4j | unit | GFLOP per item | GFLOP/s | MFU | PyTorch | Java time / Python time |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Bench.Measurement m : java) {
            boolean isPeak = m.key().equals("matmul");
            JsonObject p = py.get(key(m.key(), isPeak ? "" : m.preset()));
            double pyRate = p == null ? Double.NaN : p.get("per_second").getAsDouble();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", m.name(), m.preset().isEmpty() ? "–" : m.preset(),
                    fmt(m.perSecond()), m.unit(), isPeak || Double.isNaN(m.flopsPerItem()) ? "–" : String.format(Locale.ROOT, "%.4g", m.flopsPerItem() / 1e9),
                    isPeak ? fmt(m.perSecond()) : Double.isNaN(m.flopsPerItem()) ? "–" : fmt(m.flopsPerSecond() / 1e9),
                    isPeak || Double.isNaN(m.flopsPerItem()) ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * m.flopsPerSecond() / peak),
                    Double.isNaN(pyRate) ? "–" : fmt(pyRate),
                    Double.isNaN(pyRate) || isPeak ? "–" : String.format(Locale.ROOT, "**%.2f**", pyRate / m.perSecond())));
        }
        if (memory != null) {
            sb.append(String.format(Locale.ROOT, "%nMemory, %,d steps of the %s DiT: RSS %.0f → %.0f MB, peak %.0f MB; slope over the second half of"
                    + " the run %.3f MB per 100 steps, %.3f MB outside the Java heap (max heap %.0f MB).%n", memory.steps(), memory.preset(),
                    memory.startMb(), memory.endMb(), memory.peakMb(), memory.slopeMbPer100Steps(), memory.nativeSlopeMbPer100Steps(),
                    Runtime.getRuntime().maxMemory() / 1048576.0));
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** Runs bench/reference.py for one preset and reads its JSON; its output goes to this command's output as it runs. */
    private JsonObject runPython(Path script, Bench.Preset p, int threads, List<String> todo) throws IOException {
        Path json = Files.createTempFile("dlc-bench-python", ".json");
        List<String> which = new ArrayList<>(List.of("matmul"));
        todo.stream().filter(s -> !s.equals("sem_train") && !s.equals("text_sample")).forEach(which::add);
        List<String> cmd = List.of(python, script.toString(), "--threads", Integer.toString(threads), "--json", json.toString(), "--which",
                String.join(",", which), "--dit-preset", p.dit(), "--sedd-preset", p.sedd(), "--batch", Integer.toString(p.plan().ditBatch()),
                "--sedd-batch", Integer.toString(p.plan().seddBatch()), "--sample-images", Integer.toString(p.plan().ditImages()), "--sample-steps",
                Integer.toString(p.plan().ditSteps()), "--prior-codes", Integer.toString(p.plan().priorCodes()), "--prior-steps",
                Integer.toString(p.plan().priorSteps()), "--steps", Integer.toString(p.plan().steps()), "--warmup", Integer.toString(p.plan().warmupSteps()), "--sample-reps",
                Integer.toString(p.plan().sampleReps()));
        try {
            Process proc = new ProcessBuilder(cmd).inheritIO().start();
            int code = proc.waitFor();
            if (code != 0) {
                throw new UserException(python + " " + script.getFileName() + " failed (exit " + code + "): it needs Debian's python3-torch"
                        + " (apt-get install -y python3-torch libopenblas0-pthread), or pass --python");
            }
            return new Gson().fromJson(Files.readString(json, StandardCharsets.UTF_8), JsonObject.class);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while waiting for " + script.getFileName());
        } catch (IOException e) {
            throw new UserException("cannot run " + python + ": " + e.getMessage() + "; install python3-torch or pass --python");
        } finally {
            Files.deleteIfExists(json);
        }
    }

    private static Path home() {
        return Path.of(System.getProperty("dlc4j.home", "."));
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
