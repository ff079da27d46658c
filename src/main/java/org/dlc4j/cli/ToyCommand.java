package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.diffusion.gaussian.BetaSchedule;
import org.dlc4j.experiments.ToyStudy;
import org.dlc4j.toy.KlEstimator;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc toy}: the paper's Figure 2 study. */
@Command(name = "toy", mixinStandardHelpOptions = true,
        description = "Fig. 2 toy study: (un)conditional diffusion on a grid of Gaussians.")
public final class ToyCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    OutputOption output;

    @Option(names = "--quick", description = "A small run (9 and 121 modes, short training) that ends in about a minute.")
    boolean quick;

    @Option(names = "--modes", split = ",", description = "Numbers of mixture components, square numbers (default: 9,121,400,900; quick: 9,121).")
    List<Integer> modes;

    @Option(names = "--variants", split = ",", description = "Models to train: unconditional,oracle,gmm (default: all three).")
    List<String> variants;

    @Option(names = "--steps", description = "Training steps per model (default: 10000; quick: 1000).")
    Long steps;

    @Option(names = "--batch", description = "Training batch (default: 2048, the paper's; quick: 1024).")
    Integer batch;

    @Option(names = "--hidden", description = "MLP width (default: 256; quick: 128).")
    Integer hidden;

    @Option(names = "--lr", description = "AdamW learning rate (default: 1e-3; quick: 2e-3).")
    Double lr;

    @Option(names = "--schedule", defaultValue = "linear", description = "Noise schedule: linear (DiT) or cosine (improved DDPM) (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--sampling-steps", description = "Ancestral sampling steps, respaced from 1000 (default: 100; quick: 50).")
    Integer samplingSteps;

    @Option(names = "--kde-samples", description = "Model samples for the KDE (default: 50000; quick: 10000).")
    Integer kdeSamples;

    @Option(names = "--eval-samples", description = "Data points the KL is averaged over (default: 20000; quick: 5000).")
    Integer evalSamples;

    @Option(names = "--bandwidth", defaultValue = "cv", description = "KDE bandwidth: cv (factor chosen by held-out likelihood), silverman (the paper's) or a fixed value (default: ${DEFAULT-VALUE}).")
    String bandwidth;

    @Option(names = "--resume", description = "Continue from the checkpoints in <out>/checkpoints where present.")
    boolean resume;

    @Override
    public Integer call() {
        Path out = output.path;
        ToyStudy.Config c = config();
        try (NDManager manager = common.newManager()) {
            List<ToyStudy.Row> rows = new ToyStudy(c, manager, out, resume).run();
            System.out.println("modes  variant         KL (nats)  KDE floor");
            for (ToyStudy.Row r : rows) {
                System.out.printf(Locale.ROOT, "%5d  %-14s  %9.4f  %9.4f%n", r.modes(), r.variant(), r.kl(), r.floor());
            }
            System.out.println("report: " + out.resolve("index.html"));
        }
        return 0;
    }

    ToyStudy.Config config() {
        ToyStudy.Config d = quick ? ToyStudy.Config.quick(common.seed) : ToyStudy.Config.full(common.seed);
        int batchV = positive("--batch", batch, d.batch());
        return new ToyStudy.Config(modes != null ? modes : d.modes(),
                variants != null ? variants.stream().map(ToyStudy.Variant::parse).toList() : d.variants(), d.spacing(), d.variance(),
                positive("--hidden", hidden, d.hidden()), d.layers(), batchV,
                positive("--steps", steps == null ? null : Math.toIntExact(steps), (int) d.steps()),
                lr != null ? positiveD("--lr", lr) : d.lr(), BetaSchedule.parse(schedule), d.diffusionSteps(),
                positive("--sampling-steps", samplingSteps, d.samplingSteps()),
                positive("--kde-samples", kdeSamples, d.kdeSamples()),
                positive("--eval-samples", evalSamples, d.evalSamples()),
                d.emPoints(), KlEstimator.Bandwidth.parse(bandwidth), d.heatmapT(), d.heatmapLabel(), d.emaDecay(),
                d.checkpointEvery(), common.seed);
    }

    static int positive(String flag, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw new InvalidInputException(flag + " must be positive, got " + value);
        }
        return value;
    }

    static double positiveD(String flag, double value) {
        if (!(value > 0)) {
            throw new InvalidInputException(flag + " must be positive, got " + value);
        }
        return value;
    }
}
