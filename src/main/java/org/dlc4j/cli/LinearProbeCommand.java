package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.LinearProbe;
import org.dlc4j.experiments.Probes;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc eval linear-probe}: logistic regression on frozen representations, trained on train, reported on test. */
@Command(name = "linear-probe", mixinStandardHelpOptions = true,
        description = "Linear-probe accuracy of representations: .npz files with 'labels' and either 'features' [N, D] or 'tokens' [N, L] (+ 'vocab'),"
                + " or a built-in Fashion-MNIST baseline (--baseline pixels|features).")
public final class LinearProbeCommand implements Callable<Integer> {
    @Mixin
    ScoringOptions scoring;

    @Option(names = "--train", description = "Training representations (.npz).")
    Path train;

    @Option(names = "--test", description = "Test representations (.npz).")
    Path test;

    @Option(names = "--baseline", description = "Probe Fashion-MNIST itself instead: pixels, or features (the pinned feature network's).")
    String baseline;

    @Option(names = "--epochs", defaultValue = "10", description = "Passes over train per fit (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Override
    public Integer call() {
        LinearProbe.Config defaults = LinearProbe.Config.defaults(scoring.common.seed);
        var config = new LinearProbe.Config(epochs, defaults.batch(), defaults.lr(), defaults.weightDecays(), defaults.heldOut(), scoring.common.seed);
        if (baseline != null && (train != null || test != null)) {
            throw new InvalidInputException("--baseline probes Fashion-MNIST itself: drop --train/--test, or drop --baseline");
        }
        if (baseline != null && !baseline.equals("pixels") && !baseline.equals("features")) {
            throw new InvalidInputException("--baseline '" + baseline + "' is not pixels or features");
        }
        if (baseline == null && (train == null || test == null)) {
            throw new InvalidInputException("give both --train and --test (.npz with 'labels' and 'features' or 'tokens'), or --baseline pixels|features");
        }
        try (NDManager manager = scoring.common.newManager()) {
            LinearProbe.Result result;
            if (baseline != null) {
                ImageDataset tr = FashionMnist.load(scoring.data.dir, FashionMnist.Split.TRAIN);
                ImageDataset te = FashionMnist.load(scoring.data.dir, FashionMnist.Split.TEST);
                try (FeatureNet net = baseline.equals("features") ? scoring.network.load(manager) : null) {
                    result = Probes.baseline(manager, tr, te, net, config);
                }
            } else {
                result = Probes.npz(manager, train, test, config);
            }
            System.out.println(result);
        }
        return 0;
    }
}
