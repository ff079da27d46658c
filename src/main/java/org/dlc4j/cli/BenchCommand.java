package org.dlc4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dlc4j.experiments.Bench;
import org.dlc4j.experiments.BenchSuite;
import org.dlc4j.experiments.ReleasedCost;
import org.dlc4j.util.Home;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dlc bench}: every stage's throughput for the shipped sizes and the tiny ones, its model FLOP/s as a share of a
 * matmul peak measured in the same run (MFU), the resident memory over a training run, and — with
 * {@code --compare-python} — the same measurements of bench/reference.py in PyTorch, each stage's run right beside the Java
 * one, with the ratio Java time / Python time ({@code --rounds} repeats them and reports medians).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Throughput (images, tokens or codes per second), MFU against a measured matmul peak and memory of every stage;"
                + " --compare-python runs bench/reference.py (PyTorch) beside each stage in the same invocation and prints Java time / Python time.")
final class BenchCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--presets", split = ",", defaultValue = "fmnist,tiny", description = "Model sizes: fmnist (the shipped ones), tiny (default: ${DEFAULT-VALUE}).")
    List<String> presets;

    @Option(names = "--stages", split = ",", description = "Stages to time (default: all): " + "dit_train, dit_sample, dit_sample_guided, sedd_train,"
            + " sedd_sample, sem_train, text_sample.")
    List<String> stages;

    @Option(names = "--memory-steps", defaultValue = "2000", description = "Tiny DiT training steps the RSS slope is fitted over; 0 skips it"
            + " (default: ${DEFAULT-VALUE}).")
    int memorySteps;

    @Option(names = "--memory-warmup", defaultValue = "20000", description = "Unmeasured tiny DiT steps before them, while the native allocator"
            + " settles (default: ${DEFAULT-VALUE}).")
    int memoryWarmup;

    @Option(names = "--compare-python", description = "Also run bench/reference.py (PyTorch) on the same shapes and threads and print the ratios.")
    boolean comparePython;

    @Option(names = "--rounds", defaultValue = "1", description = "Times every stage is measured, Java and Python back to back, the first"
            + " side alternating; the table gives medians and the range of the ratios (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for --compare-python (default: ${DEFAULT-VALUE},"
            + " Debian's python3-torch).")
    String python;

    @Option(names = "--released", description = "Instead of the suite: what the paper's released models (ViT-L/14 + SEM head, SEDD-medium,"
            + " DiT-XL/2, SD VAE) cost per 256-px image here, each built at its real size with random weights.")
    boolean released;

    @Option(names = "--dit-steps", defaultValue = "250", description = "With --released: DiT steps per image (default: ${DEFAULT-VALUE}, the authors' pipeline).")
    int ditSteps;

    @Option(names = "--prior-steps", defaultValue = "512", description = "With --released: SEDD steps per code (default: ${DEFAULT-VALUE}, the authors' sampler).")
    int priorSteps;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() throws IOException {
        Path out = output.path;
        if (released) {
            if (ditSteps < 1 || priorSteps < 1) {
                throw new InvalidInputException("--dit-steps and --prior-steps must be at least 1, not " + ditSteps + " and " + priorSteps);
            }
            String md = ReleasedCost.run(new ReleasedCost.Settings(ditSteps, priorSteps, Math.max(rounds, 3)));
            Files.createDirectories(out);
            Files.writeString(out.resolve("released.md"), md);
            System.out.print(md);
            System.out.println("wrote " + out.resolve("released.md"));
            return 0;
        }
        List<Bench.Preset> chosen = new ArrayList<>();
        for (String p : presets) {
            try {
                chosen.add(Bench.Preset.of(p));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(e.getMessage());
            }
        }
        List<String> todo = stages != null ? stages : BenchSuite.STAGES;
        for (String s : todo) {
            if (!BenchSuite.STAGES.contains(s)) {
                throw new InvalidInputException("unknown stage '" + s + "': use some of " + String.join(", ", BenchSuite.STAGES));
            }
        }
        if (memorySteps < 0) {
            throw new InvalidInputException("--memory-steps must be 0 (skip) or more, not " + memorySteps);
        }
        if (memoryWarmup < 0) {
            throw new InvalidInputException("--memory-warmup must be 0 or more, not " + memoryWarmup);
        }
        Path script = Home.dir().resolve("bench/reference.py");
        if (comparePython && !Files.isRegularFile(script)) {
            throw new InvalidInputException(script + " not found: run dlc bench from a dlc4j checkout, or drop --compare-python");
        }
        if (rounds < 1) {
            throw new InvalidInputException("--rounds must be 1 or more, not " + rounds);
        }
        var settings = new BenchSuite.Settings(chosen, todo, memorySteps, memoryWarmup, comparePython, rounds, python, script);
        String md = BenchSuite.run(settings, common.device(), out);
        System.out.print(md);
        System.out.println("wrote " + out.resolve("table.md") + " and " + out.resolve("bench.json"));
        return 0;
    }
}
