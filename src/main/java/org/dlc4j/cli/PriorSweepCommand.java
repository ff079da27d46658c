package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Images;
import org.dlc4j.eval.Reference;
import org.dlc4j.experiments.PriorSweep;
import org.dlc4j.pipeline.Generator;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dlc prior sweep}: FD of prior → DiT generation against the remasking rate η (the paper's Figure 8) and against
 * the number of prior steps, each setting scored against Fashion-MNIST test; the prior's sampling time is recorded too.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "FD of prior→DiT generation against the remasking rate η (Figure 8) and the prior's step count; writes sweep.csv, eta.png, steps.png.")
final class PriorSweepCommand implements Callable<Integer> {
    @Mixin
    ScoringOptions scoring;

    @Mixin
    PriorOption priorFile;

    @Mixin
    DitOption ditFile;

    @Option(names = "--n", defaultValue = "1000", description = "Images per setting (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--etas", split = ",", defaultValue = "0,0.003,0.01,0.03,0.1,0.3",
            description = "Remasking rates to try with the remask sampler (default: ${DEFAULT-VALUE}).")
    List<Double> etas;

    @Option(names = "--eta-steps", defaultValue = "128", description = "Prior steps for the η sweep (default: ${DEFAULT-VALUE}).")
    int etaSteps;

    @Option(names = "--step-counts", split = ",", defaultValue = "16,32,64,128,256",
            description = "Prior step counts to try with the analytic sampler (default: ${DEFAULT-VALUE}).")
    List<Integer> stepCounts;

    @Mixin
    DitSamplerOptions ditOptions;

    @Option(names = "--scale", defaultValue = "1.0", description = "DiT guidance scale (default: ${DEFAULT-VALUE}: none).")
    double scale;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        if (n < 2) {
            throw new InvalidInputException("--n must be at least 2 (FD needs a covariance)");
        }
        if (!(scale >= 0)) {
            throw new InvalidInputException("--scale must be ≥ 0, not " + scale);
        }
        var settings = new PriorSweep.Settings(n, etas, etaSteps, stepCounts, new DitSampling.Options(ditOptions.config(), scale, Integer.MAX_VALUE, 100),
                scoring.common.seed);
        try (NDManager manager = scoring.common.newManager(); FeatureNet net = scoring.network.load(manager);
             Generator models = Generator.load(manager, priorFile.resolve(), "prior",
                     ditFile.resolve(), "dit")) {
            PriorSweep.run(manager, settings, models, net, Reference.open("test", scoring.data.dir, 10_000, net, manager), out);
        }
        System.out.println("wrote " + out.resolve("sweep.csv") + ", " + out.resolve("eta.png") + " and " + out.resolve("steps.png"));
        return 0;
    }
}
