package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.text.CaptionBank;
import org.dlc4j.text.Captions;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.text.TextToDlc;
import org.dlc4j.text.TextTraining;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc text train}: train the text-to-DLC model on labelled codes and captions. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train the text-to-DLC model on labelled codes and the caption file (resumable).")
final class TextTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    CodeTrainingOptions training;

    @Option(names = "--captions", description = "Caption TSV (split, label, caption) (default: the shipped assets/text/fmnist-captions.tsv).")
    Path captionsPath;

    @Option(names = "--preset", defaultValue = "T2D-T", description = "Model size: tiny, T2D-T, T2D-S (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--mask-caption", description = "Also mask caption tokens at the code's rate, as the reference's joint masking.")
    boolean maskCaption;

    @Mixin
    ModelOutputOption output;

    @Option(names = "--checkpoint", defaultValue = "out/text/train.safetensors", description = "Resumable training state (default: ${DEFAULT-VALUE}).")
    Path checkpoint;

    @Override
    public Integer call() {
        Path out = output.path;
        DlcFile codes = training.codes();
        TextToDlc.Config model;
        try {
            model = TextToDlc.Config.preset(preset, codes.length(), codes.vocab());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
        DlcFile heldout = training.heldout(codes);
        Captions captions = Captions.read(captionsPath != null ? captionsPath : Captions.defaultPath());
        var c = TextTraining.Config.fmnist(model, common.seed);
        CodeTrainingOptions o = training;
        c = c.with(o.epochs != null ? o.epochs : c.epochs(), o.batch != null ? o.batch : c.batch(), o.lr != null ? o.lr : c.lr(),
                o.warmup != null ? o.warmup : c.warmup(), maskCaption, o.evalEvery);
        CodeTrainingOptions.check(c.epochs(), c.batch(), c.lr(), c.warmup(), o.evalEvery);
        Path target = out != null ? out : ModelStore.shipped().text();
        try (NDManager manager = common.newManager(); TextEncoder encoder = TextEncoder.load()) {
            long start = System.nanoTime();
            CaptionBank bank = CaptionBank.encode(encoder, captions.texts());
            System.out.printf(Locale.ROOT, "%s: %d captions (%d held out) encoded in %.1f s; %.3f GFLOP per code forward, %d codes%n",
                    model.describe(), captions.count(), java.util.stream.IntStream.range(0, captions.count()).filter(i -> captions.heldout()[i]).count(),
                    (System.nanoTime() - start) / 1e9, 2e-9 * model.forwardMacs(12), codes.count());
            var d = new TextTraining.Data(codes, heldout, captions, bank, encoder.sha256());
            var r = TextTraining.train(manager, c, d, checkpoint, training.resume, target, training.until(), training.init);
            System.out.printf(Locale.ROOT, "%d of %d steps, %.0f s, %.0f codes/s (%.1f GFLOP/s in the model), last loss %.4f%s%n", r.steps(),
                    r.totalSteps(), r.trainSeconds(), r.codesPerSecond(), r.codesPerSecond() * 6e-9 * model.forwardMacs(12), r.finalLoss(),
                    Double.isNaN(r.heldoutBits()) ? "" : String.format(Locale.ROOT, ", held-out %.4f bits per token", r.heldoutBits()));
            System.out.println(r.finished() ? "wrote " + target : "stopped; continue with --resume (checkpoint " + checkpoint + ")");
        }
        return 0;
    }
}
