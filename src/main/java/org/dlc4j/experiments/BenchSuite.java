package org.dlc4j.experiments;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;

/**
 * The benchmark suite behind {@code dlc bench}: every stage's throughput for the chosen presets, its model FLOP/s as a
 * share of a matmul peak measured in the same run (MFU), the resident memory over a training run, and, when asked, the
 * same measurements of bench/reference.py in PyTorch, each stage's run right beside the Java one, with the ratio Java
 * time / Python time ({@code rounds} repeats them and reports medians).
 */
public final class BenchSuite {
    public static final List<String> STAGES = List.of("dit_train", "dit_sample", "dit_sample_guided", "sedd_train", "sedd_sample", "sem_train", "text_sample");
    /** The stages bench/reference.py has a PyTorch twin of. */
    public static final List<String> PYTHON_STAGES = List.of("dit_train", "dit_sample", "dit_sample_guided", "sedd_train", "sedd_sample");

    /**
     * @param memorySteps  tiny DiT training steps the RSS slope is fitted over; 0 skips it
     * @param memoryWarmup unmeasured tiny DiT steps before them
     * @param python       the Python with torch that runs {@code script} when {@code comparePython}
     */
    public record Settings(List<Bench.Preset> presets, List<String> stages, int memorySteps, int memoryWarmup, boolean comparePython, int rounds,
                           String python, Path script) {
        public Settings {
            for (String st : stages) {
                if (!STAGES.contains(st)) {
                    throw InvalidInputException.of("stages", "unknown stage '" + st + "': use some of " + String.join(", ", STAGES));
                }
            }
            if (memorySteps < 0 || memoryWarmup < 0 || rounds < 1) {
                throw new InvalidInputException("memory steps and warm-up must be 0 or more and rounds 1 or more");
            }
            if (comparePython && !Files.isRegularFile(script)) {
                throw new InvalidInputException(script + " not found: run the benchmark from a dlc4j checkout, or do not compare with Python");
            }
        }
    }

    private BenchSuite() {}

    /** Runs the suite on {@code device}; writes table.md and bench.json to {@code out} and returns the table. */
    public static String run(Settings s, Device device, Path out) throws IOException {
        int threads = Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
        // one row per measurement, in table order; each holds its rounds
        Map<String, Row> rows = new LinkedHashMap<>();
        Bench.Memory memory = null;
        String pyInfo = "";
        Path tmp = Files.createTempDirectory("dlc-bench");
        try (NDManager manager = NDManager.newBaseManager(device)) {
            for (int round = 1; round <= s.rounds(); round++) {
                if (s.rounds() > 1) {
                    Listener.current().message(String.format(Locale.ROOT, "round %d of %d", round, s.rounds()));
                }
                Bench.Measurement peak = Bench.matmul(manager, 9);
                report(peak, peak);
                Row peakRow = rows.computeIfAbsent(key(peak.key(), ""), k -> new Row());
                peakRow.java.add(peak);
                for (Bench.Preset p : s.presets()) {
                    for (String stage : s.stages()) {
                        // Java and Python time a stage back to back, the first side alternating by round, so that the
                        // machine's drift over a run (minutes) falls on both sides alike
                        boolean python = s.comparePython() && PYTHON_STAGES.contains(stage);
                        JsonObject py = null;
                        if (python && round % 2 == 0) {
                            py = runPython(s.python(), s.script(), p, threads, stage);
                        }
                        Bench.Measurement m = measure(manager, p, stage, tmp);
                        report(m, peak);
                        if (python && round % 2 == 1) {
                            py = runPython(s.python(), s.script(), p, threads, stage);
                        }
                        Row row = rows.computeIfAbsent(key(m.key(), m.preset()), k -> new Row());
                        row.java.add(m);
                        if (py != null) {
                            pyInfo = pythonInfo(py);
                            JsonObject results = py.getAsJsonObject("results");
                            row.python.add(results.getAsJsonObject(stage));
                            peakRow.python.add(results.getAsJsonObject("matmul"));
                        }
                    }
                }
            }
            if (s.memorySteps() > 0) {
                memory = Bench.memory(manager, "tiny", 8, s.memoryWarmup(), s.memorySteps(), tmp);
                Listener.current().message(String.format(Locale.ROOT, "memory: %,d tiny DiT steps in %.0f s after %,d unmeasured, RSS %.0f → %.0f MB, peak %.0f MB,"
                        + " slope %.3f MB per 100 steps (outside the Java heap %.3f)", memory.steps(), memory.seconds(), memory.warmupSteps(), memory.startMb(), memory.endMb(), memory.peakMb(),
                        memory.slopeMbPer100Steps(), memory.nativeSlopeMbPer100Steps()));
            }
        } finally {
            deleteTree(tmp);
        }
        String md = table(new ArrayList<>(rows.values()), memory, threads, pyInfo);
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("table.md"), md);
        Map<String, Object> json = new LinkedHashMap<>();
        rows.forEach((k, r) -> json.put(k, Map.of("java", r.java, "python", r.python)));
        json.put("memory", memory == null ? Map.of() : memory);
        AtomicFiles.writeString(out.resolve("bench.json"), org.dlc4j.io.Json.write(json));
        return md;
    }

    private static Bench.Measurement measure(NDManager manager, Bench.Preset p, String stage, Path tmp) throws IOException {
        return switch (stage) {
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
    }

    private static String pythonInfo(JsonObject r) {
        List<String> libs = new ArrayList<>();
        r.getAsJsonObject("blas").getAsJsonArray("loaded").forEach(e -> libs.add(Path.of(e.getAsString()).getFileName().toString()));
        return String.format(Locale.ROOT, "PyTorch %s (Python %s), BLAS %s", r.get("torch").getAsString(), r.get("python").getAsString(),
                String.join(" ", libs));
    }

    /**
     * One table row's measurements over the rounds. The row reports the median Java and Python rates and the median of the
     * rounds' ratios: each ratio compares two runs made minutes apart at most, so it is the figure the drift spoils least.
     */
    public static final class Row {
        final List<Bench.Measurement> java = new ArrayList<>();
        final List<JsonObject> python = new ArrayList<>();

        /** The Java measurement of median rate (the lower middle one for an even count). */
        Bench.Measurement javaMedian() {
            List<Bench.Measurement> sorted = new ArrayList<>(java);
            sorted.sort(Comparator.comparingDouble(Bench.Measurement::perSecond));
            return sorted.get((sorted.size() - 1) / 2);
        }

        double[] pythonRates() {
            return python.stream().mapToDouble(p -> p.get("per_second").getAsDouble()).toArray();
        }

        /** Java time / Python time per round (Python's rate over Java's), empty unless both sides ran every round. */
        double[] ratios() {
            if (python.size() != java.size()) {
                return new double[0];
            }
            double[] py = pythonRates();
            double[] r = new double[java.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = py[i] / java.get(i).perSecond();
            }
            return r;
        }
    }

    private static String key(String stage, String preset) {
        return stage + "|" + preset;
    }

    private static void report(Bench.Measurement m, Bench.Measurement peak) {
        Listener.current().message(String.format(Locale.ROOT, "%s%s: %.1f %s%s", m.name(), m.preset().isEmpty() ? "" : " (" + m.preset() + ")", m.perSecond(), m.unit(),
                Double.isNaN(m.flopsPerItem()) || m == peak ? "" : String.format(Locale.ROOT, ", %.1f GFLOP/s, MFU %.0f%%", m.flopsPerSecond() / 1e9,
                        100 * m.flopsPerSecond() / (peak.perSecond() * 1e9))));
    }

    /** The glibc malloc variables both sides run with (./dlc sets them; the Python reference inherits them). */
    static String mallocSettings() {
        String set = java.util.stream.Stream.of("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
                .filter(k -> System.getenv(k) != null).map(k -> k + "=" + System.getenv(k)).collect(java.util.stream.Collectors.joining(" "));
        return set.isEmpty() ? "defaults" : set + " (both sides)";
    }

    /**
     * The README table: one row per measurement; MFU against the Java matmul peak (the fastest round's); the ratio is Java
     * time over Python time, the median over the rounds with their range when there are several.
     */
    public static String table(List<Row> rows, Bench.Memory memory, int threads, String pyInfo) {
        // a peak is a maximum: the first rounds' matmul runs while the JIT compiles start-up code on the same cores
        Bench.Measurement fastest = rows.get(0).java.stream().max(Comparator.comparingDouble(Bench.Measurement::perSecond)).orElseThrow();
        double peak = fastest.perSecond() * 1e9;
        int rounds = rows.get(0).java.size();
        StringBuilder sb = new StringBuilder();
        // DJL's CPU libtorch is PyTorch's official build, whose BLAS is MKL linked into libtorch_cpu.so.
        sb.append(String.format(Locale.ROOT, "%d threads; dlc4j on Java %s, libtorch %s (DJL), BLAS MKL inside libtorch_cpu%s; glibc malloc %s%s%n%n",
                threads, System.getProperty("java.version"), ai.djl.engine.Engine.getInstance().getVersion(), pyInfo.isEmpty() ? "" : "; " + pyInfo,
                mallocSettings(), rounds == 1 ? "" : String.format(Locale.ROOT, "; medians of %d rounds, Java and Python back to back in each", rounds)));
        sb.append("| stage | preset | dlc4j | unit | GFLOP per item | GFLOP/s | MFU | PyTorch | Java time / Python time |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            boolean isPeak = row == rows.get(0);
            Bench.Measurement m = isPeak ? fastest : row.javaMedian();
            double pyRate = isPeak ? Arrays.stream(row.pythonRates()).max().orElse(Double.NaN) : Bench.median(row.pythonRates());
            double[] ratios = row.ratios();
            String ratio = "–";
            if (!isPeak && ratios.length > 0) {
                ratio = String.format(Locale.ROOT, "**%.2f**", Bench.median(ratios)) + (ratios.length == 1 ? ""
                        : String.format(Locale.ROOT, " (%.2f–%.2f)", Arrays.stream(ratios).min().orElseThrow(), Arrays.stream(ratios).max().orElseThrow()));
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", m.name(), m.preset().isEmpty() ? "–" : m.preset(),
                    fmt(m.perSecond()), m.unit(), isPeak || Double.isNaN(m.flopsPerItem()) ? "–" : String.format(Locale.ROOT, "%.4g", m.flopsPerItem() / 1e9),
                    isPeak ? fmt(m.perSecond()) : Double.isNaN(m.flopsPerItem()) ? "–" : fmt(m.flopsPerSecond() / 1e9),
                    isPeak || Double.isNaN(m.flopsPerItem()) ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * m.flopsPerSecond() / peak),
                    Double.isNaN(pyRate) ? "–" : fmt(pyRate), ratio));
        }
        if (memory != null) {
            sb.append(String.format(Locale.ROOT, "%nMemory, %,d steps of the %s DiT after %,d unmeasured: RSS %.0f → %.0f MB, peak %.0f MB; slope"
                    + " %.3f MB per 100 steps, %.3f MB outside the Java heap (max heap %.0f MB).%n", memory.steps(), memory.preset(), memory.warmupSteps(),
                    memory.startMb(), memory.endMb(), memory.peakMb(), memory.slopeMbPer100Steps(), memory.nativeSlopeMbPer100Steps(),
                    Runtime.getRuntime().maxMemory() / 1048576.0));
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** Runs bench/reference.py on one stage (and its matmul peak) and reads its JSON; its output goes to the listener as it runs. */
    private static JsonObject runPython(String python, Path script, Bench.Preset p, int threads, String stage) throws IOException {
        Path json = Files.createTempFile("dlc-bench-python", ".json");
        List<String> which = List.of("matmul", stage);
        List<String> cmd = List.of(python, script.toString(), "--threads", Integer.toString(threads), "--json", json.toString(), "--which",
                String.join(",", which), "--dit-preset", p.dit(), "--sedd-preset", p.sedd(), "--batch", Integer.toString(p.plan().ditBatch()),
                "--sedd-batch", Integer.toString(p.plan().seddBatch()), "--sample-images", Integer.toString(p.plan().ditImages()), "--sample-steps",
                Integer.toString(p.plan().ditSteps()), "--prior-codes", Integer.toString(p.plan().priorCodes()), "--prior-steps",
                Integer.toString(p.plan().priorSteps()), "--steps", Integer.toString(p.plan().steps()), "--warmup", Integer.toString(p.plan().warmupSteps()), "--sample-reps",
                Integer.toString(p.plan().sampleReps()));
        try {
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(Listener.current()::message); // the reference's progress, as it runs
            }
            int code = proc.waitFor();
            if (code != 0) {
                throw InvalidInputException.of("python", python + " " + script.getFileName() + " failed (exit " + code + "): it needs Debian's python3-torch"
                        + " (apt-get install -y python3-torch libopenblas0-pthread), or another Python with torch");
            }
            return new Gson().fromJson(Files.readString(json, StandardCharsets.UTF_8), JsonObject.class);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidInputException("interrupted while waiting for " + script.getFileName());
        } catch (IOException e) {
            throw InvalidInputException.of("python", "cannot run " + python + ": " + e.getMessage() + "; install python3-torch or give another Python");
        } finally {
            Files.deleteIfExists(json);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
