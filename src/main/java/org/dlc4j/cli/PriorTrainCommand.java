package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.SeddTraining;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc prior train}: train the SEDD prior on encoded codes. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train the SEDD prior on encoded codes (resumable).")
final class PriorTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    CodeTrainingOptions training;

    @Option(names = "--preset", defaultValue = "SEDD-T", description = "Model size: tiny, SEDD-T, SEDD-S, SEDD-M (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--width", description = "Transformer width, overriding the preset's (a multiple of 2 × --heads).")
    Integer width;

    @Option(names = "--depth", description = "Number of blocks, overriding the preset's.")
    Integer depth;

    @Option(names = "--heads", description = "Attention heads, overriding the preset's.")
    Integer heads;

    @Mixin
    ModelOutputOption output;

    @Option(names = "--checkpoint", defaultValue = "out/prior/train.safetensors", description = "Resumable training state (default: ${DEFAULT-VALUE}).")
    Path checkpoint;

    @Override
    public Integer call() {
        Path out = output.path;
        DlcFile codes = training.codes();
        Sedd.Config model;
        try {
            Sedd.Config p = Sedd.Config.preset(preset, codes.length(), codes.vocab());
            model = p.resized(width != null ? width : p.dim(), depth != null ? depth : p.depth(), heads != null ? heads : p.heads());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage() + " (see --preset, --width, --depth, --heads)");
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
            var r = SeddTraining.train(manager, c, codes, heldout, checkpoint, training.resume, target, training.until(), training.init);
            double codesPerSecond = r.tokensPerSecond() / model.length();
            System.out.printf(Locale.ROOT, "%d of %d steps, %.0f s, %.0f tokens/s (%.1f GFLOP/s in the model), last loss %.4f%s%n", r.steps(),
                    r.totalSteps(), r.trainSeconds(), r.tokensPerSecond(), codesPerSecond * 6e-9 * model.forwardMacs(), r.finalLoss(),
                    Double.isNaN(r.heldoutBits()) ? "" : String.format(Locale.ROOT, ", held-out %.4f bits per token", r.heldoutBits()));
            System.out.println(r.finished() ? "wrote " + target : "stopped; continue with --resume (checkpoint " + checkpoint + ")");
        }
        return 0;
    }
}
