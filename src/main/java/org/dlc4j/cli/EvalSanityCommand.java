package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.Degrade;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureSet;
import org.dlc4j.eval.Images;
import org.dlc4j.eval.Reference;
import org.dlc4j.util.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc eval sanity}: the evaluator's validation table, test and corrupted test sets scored against train. */
@Command(name = "sanity", mixinStandardHelpOptions = true,
        description = "The validation table: test and corrupted test sets scored against train.")
final class EvalSanityCommand implements Callable<Integer> {
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
