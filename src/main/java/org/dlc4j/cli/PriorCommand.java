package org.dlc4j.cli;

import org.dlc4j.pipeline.CodeSampling;
import org.dlc4j.pipeline.ModelStore;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.prior.PriorSampler;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.SeddTraining;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.util.Home;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc prior}: the SEDD model of p(DLC): train it on encoded codes and sample new codes. */
@Command(name = "prior", mixinStandardHelpOptions = true, description = "Train the SEDD prior over codes (absorbing discrete diffusion) and sample codes from it.",
        subcommands = {PriorCommand.Train.class, PriorCommand.Sample.class, PriorSweepCommand.class})
public final class PriorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new InvalidInputException("dlc prior needs a subcommand: train or sample (see dlc prior --help)");
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train the SEDD prior on encoded codes (resumable).")
    static final class Train implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Mixin
        CodeTrainingOptions training;

        @Option(names = "--preset", defaultValue = "SEDD-T", description = "Model size: tiny, SEDD-T, SEDD-S, SEDD-M (default: ${DEFAULT-VALUE}).")
        String preset;

        @Option(names = "--out", description = "Where to write the trained prior (default: models/prior/fmnist-sedd.safetensors).")
        Path out;

        @Option(names = "--checkpoint", defaultValue = "out/prior/train.safetensors", description = "Resumable training state (default: ${DEFAULT-VALUE}).")
        Path checkpoint;

        @Override
        public Integer call() {
            DlcFile codes = training.codes();
            Sedd.Config model;
            try {
                model = Sedd.Config.preset(preset, codes.length(), codes.vocab());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(e.getMessage());
            }
            DlcFile heldout = training.heldout(codes);
            var c = SeddTraining.Config.fmnist(model, common.seed);
            CodeTrainingOptions o = training;
            c = c.with(o.epochs != null ? o.epochs : c.epochs(), o.batch != null ? o.batch : c.batch(), o.lr != null ? o.lr : c.lr());
            c = c.withSchedule(o.warmup != null ? o.warmup : c.warmup(), c.checkpointEvery(), o.evalEvery);
            CodeTrainingOptions.check(c.epochs(), c.batch(), c.lr(), c.warmup(), o.evalEvery);
            Path target = out != null ? out : ModelStore.shipped().prior();
            System.out.printf(Locale.ROOT, "%s: %.3f GFLOP per code forward, %d codes%n", model.describe(), 2e-9 * model.forwardMacs(), codes.count());
            try (NDManager manager = common.newManager()) {
                var r = SeddTraining.train(manager, c, codes, heldout, checkpoint, training.resume, target, training.until());
                double codesPerSecond = r.tokensPerSecond() / model.length();
                System.out.printf(Locale.ROOT, "%d of %d steps, %.0f s, %.0f tokens/s (%.1f GFLOP/s in the model), last loss %.4f%s%n", r.steps(),
                        r.totalSteps(), r.trainSeconds(), r.tokensPerSecond(), codesPerSecond * 6e-9 * model.forwardMacs(), r.finalLoss(),
                        Double.isNaN(r.heldoutBits()) ? "" : String.format(Locale.ROOT, ", held-out %.4f bits per token", r.heldoutBits()));
                System.out.println(r.finished() ? "wrote " + target : "stopped; continue with --resume (checkpoint " + checkpoint + ")");
            }
            return 0;
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, description = "Draw codes from a trained prior; writes a DLC file that dlc dit sample --codes reads.")
    static final class Sample implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--prior", description = "Trained prior (default: the shipped models/prior/fmnist-sedd.safetensors).")
        Path priorPath;

        @Option(names = "--n", defaultValue = "1000", description = "Codes to draw (default: ${DEFAULT-VALUE}).")
        int n;

        @Mixin
        PriorSamplerOptions samplerOptions;

        @Option(names = "--batch", defaultValue = "256", description = "Codes per forward pass (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--compare", description = "Real codes to compare with: per-position total variation and exact copies of them.")
        Path comparePath;

        @Option(names = "--out", defaultValue = "out/prior/codes.safetensors", description = "DLC file to write (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() {
            if (n < 1 || batch < 1) {
                throw new InvalidInputException("--n and --batch must be at least 1");
            }
            PriorSampler.Config sc = samplerOptions.config();
            DlcFile real = comparePath != null ? DlcFile.read(comparePath) : null;
            try (NDManager manager = common.newManager(); TrainedPrior prior = CodeSampling.loadPrior(manager, priorPath != null ? priorPath : ModelStore.shipped().prior(), "prior")) {
                Sedd.Config mc = prior.model().config();
                if (real != null) {
                    SeddTraining.check(mc, real, "--compare");
                }
                long start = System.nanoTime();
                DlcFile codes = CodeSampling.fromPrior(prior, n, sc, batch, common.seed);
                double seconds = (System.nanoTime() - start) / 1e9;
                codes.write(out);
                System.out.printf(Locale.ROOT, "%d codes of %d×%d in %.1f s (%.1f codes/s), %s%n", n, mc.length(), mc.vocab(), seconds, n / seconds,
                        sc.describe());
                if (real != null) {
                    System.out.printf(Locale.ROOT, "against %s: mean per-position total variation %.4f, %.2f%% exact copies, %d distinct codes%n",
                            comparePath, CodeStats.positionTv(codes, real), 100 * CodeStats.copyFraction(codes, real), CodeStats.distinct(codes));
                }
                System.out.println("wrote " + out);
            }
            return 0;
        }
    }
}
