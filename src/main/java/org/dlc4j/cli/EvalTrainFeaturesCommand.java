package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc eval train-features}: train the evaluator's feature network. */
@Command(name = "train-features", mixinStandardHelpOptions = true, description = "Train the feature network on Fashion-MNIST train (resumable).")
final class EvalTrainFeaturesCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Option(names = "--epochs", description = "Passes over the 60,000 training images (default: 12).")
    Integer epochs;

    @Option(names = "--width", description = "Channels of the first conv pair (default: 32).")
    Integer width;

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N images only (for quick checks; default: all).")
    int limit;

    @Mixin
    ModelOutputOption output;

    @Option(names = "--checkpoint", defaultValue = "out/features/train.safetensors", description = "Resumable training state (default: ${DEFAULT-VALUE}).")
    Path checkpoint;

    @Option(names = "--resume", description = "Continue from --checkpoint if it exists.")
    boolean resume;

    @Override
    public Integer call() {
        Path out = output.path;
        FeatureTraining.Config c = FeatureTraining.Config.fmnist(common.seed);
        FeatureNet.Config net = c.net();
        if (width != null) {
            net = new FeatureNet.Config(width, net.features(), net.classes(), net.dropout(), Math.min(net.spatialChannels(), 2 * width));
        }
        c = new FeatureTraining.Config(net, epochs != null ? epochs : c.epochs(), c.batch(), c.lr(), c.weightDecay(), c.emaDecay(),
                c.warmupSteps(), c.checkpointEvery(), c.seed());
        ImageDataset train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, limit > 0 ? limit : Integer.MAX_VALUE);
        ImageDataset test = FashionMnist.load(data.dir, FashionMnist.Split.TEST);
        Path target = out != null ? out : FeatureNet.defaultPath();
        try (NDManager manager = common.newManager()) {
            var r = FeatureTraining.train(manager, c, train, test, checkpoint, resume, target);
            System.out.printf(Locale.ROOT, "test accuracy %.4f after %d steps, %.0f s (%.0f images/s)%nwrote %s%n",
                    r.testAccuracy(), r.steps(), r.trainSeconds(), r.imagesPerSecond(), target);
        }
        return 0;
    }
}
