package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.FeatureMatrix;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureSet;
import org.dlc4j.eval.LinearProbe;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.Npz;
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
    CommonOptions common;

    @Mixin
    NetworkOption network;

    @Option(names = "--train", description = "Training representations (.npz).")
    Path train;

    @Option(names = "--test", description = "Test representations (.npz).")
    Path test;

    @Option(names = "--baseline", description = "Probe Fashion-MNIST itself instead: pixels, or features (the pinned feature network's).")
    String baseline;

    @Mixin
    DataOption data;

    @Option(names = "--epochs", defaultValue = "10", description = "Passes over train per fit (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Override
    public Integer call() {
        LinearProbe.Config defaults = LinearProbe.Config.defaults(common.seed);
        var config = new LinearProbe.Config(epochs, defaults.batch(), defaults.lr(), defaults.weightDecays(), defaults.heldOut(), common.seed);
        try (NDManager manager = common.newManager()) {
            LinearProbe.Result result;
            if (baseline != null) {
                if (train != null || test != null) {
                    throw new InvalidInputException("--baseline probes Fashion-MNIST itself: drop --train/--test, or drop --baseline");
                }
                ImageDataset tr = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN);
                ImageDataset te = FashionMnist.load(data.dir, FashionMnist.Split.TEST);
                LinearProbe.Vectors x;
                LinearProbe.Vectors y;
                switch (baseline) {
                    case "pixels" -> {
                        x = LinearProbe.Vectors.standardised(pixels(tr));
                        y = x.like(pixels(te));
                    }
                    case "features" -> {
                        try (FeatureNet net = network.load(manager)) {
                            FeatureSet ftr = net.embed(tr, FeatureNet.EMBED_BATCH);
                            x = LinearProbe.Vectors.standardised(ftr.pool());
                            y = x.like(net.embed(te, FeatureNet.EMBED_BATCH).pool());
                        }
                    }
                    default -> throw new InvalidInputException("--baseline '" + baseline + "' is not pixels or features");
                }
                result = LinearProbe.fit(x, tr.labels(), y, te.labels(), 10, config, manager);
            } else {
                if (train == null || test == null) {
                    throw new InvalidInputException("give both --train and --test (.npz with 'labels' and 'features' or 'tokens'), or --baseline pixels|features");
                }
                var tr = Npz.read(train);
                var te = Npz.read(test);
                int[] ytr = labels(train, tr);
                int[] yte = labels(test, te);
                int classes = Math.max(Arrays.stream(ytr).max().orElse(0), Arrays.stream(yte).max().orElse(0)) + 1;
                LinearProbe.Inputs xtr;
                LinearProbe.Inputs xte;
                if (tr.containsKey("tokens")) {
                    int vocab = vocab(train, tr);
                    xtr = tokens(train, tr, vocab);
                    xte = tokens(test, te, vocab);
                } else {
                    var v = LinearProbe.Vectors.standardised(features(train, tr));
                    xtr = v;
                    xte = v.like(features(test, te));
                }
                result = LinearProbe.fit(xtr, ytr, xte, yte, classes, config, manager);
            }
            System.out.println(result);
        }
        return 0;
    }

    private static FeatureMatrix pixels(ImageDataset ds) {
        int[] all = new int[ds.count()];
        Arrays.setAll(all, i -> i);
        return new FeatureMatrix(ds.count(), ds.imageSize(), ds.batch(all));
    }

    private static int[] labels(Path p, Map<String, HostTensor> a) {
        HostTensor t = require(p, a, "labels");
        if (!t.isInteger()) {
            throw new InvalidInputException(p + ": 'labels' are " + t.dtype() + "; store them as int64 or int32");
        }
        return t.intValues();
    }

    private static FeatureMatrix features(Path p, Map<String, HostTensor> a) {
        HostTensor t = require(p, a, "features");
        if (t.shape().length != 2 || t.dtype() != org.dlc4j.io.DType.F32) {
            throw new InvalidInputException(p + ": 'features' must be float32 [N, D], not " + t.dtype() + " " + Arrays.toString(t.shape()));
        }
        return new FeatureMatrix(Math.toIntExact(t.shape()[0]), Math.toIntExact(t.shape()[1]), t.floats());
    }

    private static int vocab(Path p, Map<String, HostTensor> a) {
        return require(p, a, "vocab").intValues()[0];
    }

    private static LinearProbe.Tokens tokens(Path p, Map<String, HostTensor> a, int vocab) {
        HostTensor t = require(p, a, "tokens");
        if (t.shape().length != 2) {
            throw new InvalidInputException(p + ": 'tokens' must be [N, L], not " + Arrays.toString(t.shape()));
        }
        return new LinearProbe.Tokens(t.intValues(), Math.toIntExact(t.shape()[1]), vocab);
    }

    private static HostTensor require(Path p, Map<String, HostTensor> a, String key) {
        HostTensor t = a.get(key);
        if (t == null) {
            throw new InvalidInputException(p + " has no '" + key + "' array (it has " + a.keySet() + ")");
        }
        return t;
    }
}
