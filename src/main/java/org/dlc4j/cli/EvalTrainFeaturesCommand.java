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

    @Option(names = "--folder", paramLabel = "DIR", description = "Train on your own pictures instead (one sub-folder per class, see dlc data"
            + " --folder; pictures without classes train the self-supervised network); a hash of each path holds out --test-fraction of every"
            + " class for the test accuracy.")
    Path folder;

    @Option(names = "--self-supervised", description = "Train the self-supervised network (VICReg on two crops, no classes: no IS or"
            + " accuracy) even if --folder has classes; a folder without classes always gets it.")
    boolean selfSupervised;

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
            var split = loaded.split(testFraction.value);
            train = limit > 0 ? split.train().take(limit) : split.train();
            test = split.test();
            if (selfSupervised || loaded.data().labels() == null) {
                c = FeatureTraining.Config.selfSupervised(channels, folderOptions.size, common.seed);
                net = c.net();
            } else {
                net = FeatureNet.Config.forData(loaded.data().classNames().size(), channels, folderOptions.size);
            }
            System.out.printf(Locale.ROOT, "%s: %d training and %d test pictures %s (%d left out)%n", folder, train.count(), test.count(),
                    net.isSelfSupervised() ? "for a self-supervised network (VICReg: no classes, no IS or accuracy)" : "in " + net.classes() + " classes",
                    loaded.skipped().size());
        } else if (selfSupervised) {
            throw InvalidInputException.of("self-supervised", "the self-supervised network is for --folder pictures; Fashion-MNIST's evaluator is"
                    + " the pinned classifier");
        } else {
            train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, limit > 0 ? limit : Integer.MAX_VALUE);
            test = FashionMnist.load(data.dir, FashionMnist.Split.TEST);
        }
        if (width != null) {
            net = new FeatureNet.Config(width, net.features(), net.classes(), net.dropout(), Math.min(net.spatialChannels(), 2 * width),
                    net.channels(), net.image(), net.projection());
        }
        c = new FeatureTraining.Config(net, epochs != null ? epochs : c.epochs(), batch != null ? batch : c.batch(), c.lr(), c.weightDecay(), c.emaDecay(),
                c.warmupSteps(), c.checkpointEvery(), c.seed(), folder != null && !net.isSelfSupervised());
        Path target = out != null ? out : FeatureNet.defaultPath();
        try (NDManager manager = common.newManager()) {
            var r = FeatureTraining.train(manager, c, train, test, checkpoint, resume, target);
            System.out.printf(Locale.ROOT, "%s after %d steps, %.0f s (%.0f images/s)%nwrote %s%n", net.isSelfSupervised()
                    ? "self-supervised (no test accuracy: check it with dlc eval sanity)" : String.format(Locale.ROOT, "test accuracy %.4f",
                    r.testAccuracy()), r.steps(), r.trainSeconds(), r.imagesPerSecond(), target);
        }
        return 0;
    }
}
