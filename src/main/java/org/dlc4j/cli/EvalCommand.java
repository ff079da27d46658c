package org.dlc4j.cli;

import org.dlc4j.eval.Reference;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.Degrade;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureSet;
import org.dlc4j.eval.FeatureTraining;
import org.dlc4j.eval.Images;
import org.dlc4j.eval.ReferenceStats;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.io.Json;
import org.dlc4j.io.Provenance;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlc eval}: the metrics of the paper's tables, measured with the project's pinned feature network. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score image sets (PNG folders, .npz, generator output): FD, sFD, KID, IS, precision/recall, Vendi, accuracy.",
        subcommands = {EvalCommand.TrainFeatures.class, EvalCommand.ReferenceStatsCommand.class, EvalCommand.Sanity.class, LinearProbeCommand.class})
public final class EvalCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Mixin
    NetworkOption network;

    @Parameters(paramLabel = "INPUT", arity = "0..*", description = "Folders of PNGs (labels from metadata.tsv), generator output folders or .npz files.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--ref", defaultValue = "test", description = "Reference: test, train (Fashion-MNIST, stored statistics) or a folder/.npz (default: ${DEFAULT-VALUE}).")
    String ref;

    @Option(names = "--ref-n", defaultValue = "10000", description = "Reference images whose features KID and precision/recall use (default: ${DEFAULT-VALUE}).")
    int refN;

    @Option(names = "--n", defaultValue = "0", description = "Use only the first N images of each input (default: all).")
    int n;

    @Option(names = "--json", defaultValue = "out/eval/report.json", description = "Where to write the JSON report (default: ${DEFAULT-VALUE}).")
    Path json;

    @Mixin
    DataOption data;

    @Override
    public Integer call() {
        if (inputs.isEmpty()) {
            throw new InvalidInputException("dlc eval needs at least one INPUT (a PNG folder, a generator's output folder or an .npz); see dlc eval --help");
        }
        if (n < 0 || refN < 1) {
            throw new InvalidInputException("--n must be >= 0 and --ref-n >= 1");
        }
        // Inputs are read and checked first, so a bad folder fails in a second, not after the reference is embedded.
        var sets = new LinkedHashMap<String, ImageDataset>();
        for (Path input : inputs) {
            ImageDataset images = Images.toFeatureInput(Images.load(input));
            sets.put(input.toString(), n > 0 ? images.take(n) : images);
        }
        try (NDManager manager = common.newManager(); FeatureNet net = network.load(manager)) {
            var reference = Reference.open(ref, data.dir, refN, net, manager);
            List<Evaluator.Report> reports = new ArrayList<>();
            for (var e : sets.entrySet()) {
                FeatureSet f = net.embed(e.getValue(), FeatureNet.EMBED_BATCH);
                reports.add(Evaluator.evaluate(e.getKey(), f, reference.stats(), reference.features(),
                        Evaluator.Options.defaults(common.seed), manager));
            }
            System.out.print(Evaluator.table(reports));
            if (reference.features() == null) {
                System.out.println("(KID and precision/recall need the reference images: " + reference.note() + ")");
            }
            writeJson(json, net, reference.stats(), reports, common.seed);
            System.out.println("report: " + json);
        }
        return 0;
    }

    static void writeJson(Path path, FeatureNet net, ReferenceStats ref, List<Evaluator.Report> reports, long seed) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("feature_net_sha256", net.sha256());
        doc.put("reference", ref.name());
        doc.put("reference_count", ref.count());
        doc.put("seed", seed);
        doc.put("command", Provenance.command());
        doc.put("commit", Provenance.commit());
        doc.put("note", "metrics are computed in the feature space of the project's Fashion-MNIST CNN, not Inception: they compare only with each other");
        doc.put("reports", reports);
        String text = Json.pretty(doc); // strict JSON: an undefined metric (NaN) is written as null
        AtomicFiles.write(path, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Command(name = "train-features", mixinStandardHelpOptions = true, description = "Train the feature network on Fashion-MNIST train (resumable).")
    static final class TrainFeatures implements Callable<Integer> {
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

        @Option(names = "--out", description = "Where to write the trained network (default: models/eval/fmnist-features.safetensors).")
        Path out;

        @Option(names = "--checkpoint", defaultValue = "out/features/train.safetensors", description = "Resumable training state (default: ${DEFAULT-VALUE}).")
        Path checkpoint;

        @Option(names = "--resume", description = "Continue from --checkpoint if it exists.")
        boolean resume;

        @Override
        public Integer call() {
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

    @Command(name = "reference", mixinStandardHelpOptions = true,
            description = "Check the stored Fashion-MNIST reference statistics, or rebuild them with --recompute.")
    static final class ReferenceStatsCommand implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Mixin
        NetworkOption network;

        @Mixin
        DataOption data;

        @Option(names = "--split", split = ",", defaultValue = "train,test", description = "Splits (default: ${DEFAULT-VALUE}).")
        List<String> splits;

        @Option(names = "--recompute", description = "Recompute from the images and overwrite the stored statistics.")
        boolean recompute;

        @Override
        public Integer call() {
            try (NDManager manager = common.newManager(); FeatureNet net = network.load(manager)) {
                for (String split : splits) {
                    Path path = ReferenceStats.defaultPath(split);
                    ReferenceStats stats;
                    if (recompute) {
                        if (!net.sha256().equals(FeatureNet.PINNED_SHA256)) {
                            throw new InvalidInputException("the stored statistics serve the pinned feature network; to ship another network, put its"
                                    + " SHA-256 in FeatureNet.PINNED_SHA256 first (dlc eval --ref test computes an unpinned network's statistics on the fly)");
                        }
                        ImageDataset images = FashionMnist.load(data.dir, FashionMnist.Split.parse(split));
                        stats = ReferenceStats.compute("fashion-mnist-" + split, net.embed(images, FeatureNet.EMBED_BATCH), net.sha256(), manager);
                        stats.save(path);
                    } else {
                        stats = ReferenceStats.load(path, net.sha256());
                    }
                    System.out.printf(Locale.ROOT, "%s: %s, %d images, %d-d features, %d-d spatial, feature net %s%n", path, stats.name(),
                            stats.count(), stats.pool().dim(), stats.spatial().dim(), stats.featureSha().substring(0, 12));
                }
            }
            return 0;
        }
    }

    @Command(name = "sanity", mixinStandardHelpOptions = true,
            description = "The validation table: test and corrupted test sets scored against train.")
    static final class Sanity implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Mixin
        NetworkOption network;

        @Mixin
        DataOption data;

        @Option(names = "--n", defaultValue = "10000", description = "Images per evaluated set and reference images for KID, P/R (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--out", defaultValue = "out/eval/sanity.md", description = "Markdown table (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() {
            ImageDataset test = FashionMnist.load(data.dir, FashionMnist.Split.TEST, n);
            try (NDManager manager = common.newManager(); FeatureNet net = network.load(manager)) {
                long start = System.nanoTime();
                Reference train = Reference.open("train", data.dir, n, net, manager);
                Rng rng = new Rng(common.seed);
                var sets = new LinkedHashMap<String, ImageDataset>();
                sets.put("test", test);
                for (double sigma : new double[] {0.05, 0.1, 0.2, 0.4}) {
                    sets.put("test + noise σ=" + sigma, Degrade.noise(test, sigma, rng));
                }
                for (double sigma : new double[] {0.5, 1.0, 2.0}) {
                    sets.put("test blurred σ=" + sigma + " px", Degrade.blur(test, sigma));
                }
                sets.put("test without class 8 (" + FashionMnist.CLASS_NAMES.get(8) + ")", Degrade.withoutClass(test, 8));
                sets.put("test, class 0 only (" + FashionMnist.CLASS_NAMES.get(0) + ")", Degrade.onlyClass(test, 0));
                sets.put("uniform noise", Degrade.uniformNoise(test.count(), FeatureNet.SIZE, rng));
                List<Evaluator.Report> reports = new ArrayList<>();
                for (var e : sets.entrySet()) {
                    long t0 = System.nanoTime();
                    FeatureSet f = net.embed(e.getValue(), FeatureNet.EMBED_BATCH);
                    var r = Evaluator.evaluate(e.getKey(), f, train.stats(), train.features(), Evaluator.Options.defaults(common.seed), manager);
                    reports.add(r);
                    System.err.printf(Locale.ROOT, "%s: %.1f s%n", e.getKey(), (System.nanoTime() - t0) / 1e9);
                }
                String table = Evaluator.table(reports);
                System.out.print(table);
                var first = reports.get(0).seconds();
                String timing = String.format(Locale.ROOT, "%nAll metrics for %d test images against %d train images: %.1f s (%s); whole table %.0f s.%n",
                        test.count(), train.features().size(), first.values().stream().mapToDouble(Double::doubleValue).sum(),
                        first.entrySet().stream().map(x -> String.format(Locale.ROOT, "%s %.1f s", x.getKey(), x.getValue())).toList(),
                        (System.nanoTime() - start) / 1e9);
                System.out.print(timing);
                try {
                    Files.createDirectories(out.toAbsolutePath().getParent());
                    Files.writeString(out, "Reference: Fashion-MNIST train (FD/sFD from the stored statistics of all 60,000; KID and P/R against the first "
                            + train.features().size() + "). Feature network " + net.sha256().substring(0, 12) + "…, seed " + common.seed + ".\n\n" + table + timing);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                System.out.println("table: " + out);
            }
            return 0;
        }
    }
}
