package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureTraining;
import org.dlc4j.util.InvalidInputException;
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

    @Option(names = "--epochs", description = "Passes over the training images (default: 12).")
    Integer epochs;

    @Option(names = "--width", description = "Channels of the first conv pair (default: 32).")
    Integer width;

    @Option(names = "--batch", description = "Images per step (default: 128).")
    Integer batch;

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N images only (for quick checks; default: all).")
    int limit;

    @Option(names = "--folder", paramLabel = "DIR", description = "Train on your own labelled pictures instead (one sub-folder per class;"
            + " see dlc data --folder); a hash of each path holds out --test-fraction of every class for the test accuracy.")
    Path folder;

    @Option(names = "--channels", defaultValue = "3", description = "Channels of --folder pictures: 1 or 3 (default: ${DEFAULT-VALUE}).")
    int channels;

    @Mixin
    TestFractionOption testFraction;

    @Mixin
    FolderOptions folderOptions;

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
        ImageDataset train;
        ImageDataset test;
        FeatureNet.Config net = c.net();
        if (folder != null) {
            var loaded = ImageFolder.load(folder, folderOptions.options(channels));
            if (loaded.data().labels() == null) {
                throw new InvalidInputException(folder + " has no classes: the feature network is trained to tell them apart; put the pictures in one"
                        + " sub-folder per class");
            }
            var split = loaded.split(testFraction.value);
            train = limit > 0 ? split.train().take(limit) : split.train();
            test = split.test();
            net = FeatureNet.Config.forData(loaded.data().classNames().size(), channels, folderOptions.size);
            System.out.printf(Locale.ROOT, "%s: %d training and %d test pictures in %d classes (%d left out)%n", folder, train.count(), test.count(),
                    net.classes(), loaded.skipped().size());
        } else {
            train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, limit > 0 ? limit : Integer.MAX_VALUE);
            test = FashionMnist.load(data.dir, FashionMnist.Split.TEST);
        }
        if (width != null) {
            net = new FeatureNet.Config(width, net.features(), net.classes(), net.dropout(), Math.min(net.spatialChannels(), 2 * width),
                    net.channels(), net.image());
        }
        c = new FeatureTraining.Config(net, epochs != null ? epochs : c.epochs(), batch != null ? batch : c.batch(), c.lr(), c.weightDecay(), c.emaDecay(),
                c.warmupSteps(), c.checkpointEvery(), c.seed(), folder != null);
        Path target = out != null ? out : FeatureNet.defaultPath();
        try (NDManager manager = common.newManager()) {
            var r = FeatureTraining.train(manager, c, train, test, checkpoint, resume, target);
            System.out.printf(Locale.ROOT, "test accuracy %.4f after %d steps, %.0f s (%.0f images/s)%nwrote %s%n",
                    r.testAccuracy(), r.steps(), r.trainSeconds(), r.imagesPerSecond(), target);
        }
        return 0;
    }
}
