package org.dlc4j.experiments;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.Degrade;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureSet;
import org.dlc4j.eval.Reference;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * The evaluator's validation table: the test split and corrupted copies of it (noise, blur, a class dropped, one class
 * only, uniform noise) scored against train; every metric must order them as a person would.
 */
public final class SanityTable {
    private SanityTable() {}

    /** The table (Markdown) and a line timing its parts. */
    public record Result(String table, String timing) {
    }

    /** Scores {@code test} and its corruptions (drawn with {@code seed}) against the {@code train} reference. */
    public static Result run(NDManager manager, ImageDataset test, Reference train, FeatureNet net, long seed) {
        long start = System.nanoTime();
        Rng rng = new Rng(seed);
        var sets = new LinkedHashMap<String, ImageDataset>();
        sets.put("test", test);
        for (double sigma : new double[] {0.05, 0.1, 0.2, 0.4}) {
            sets.put("test + noise σ=" + sigma, Degrade.noise(test, sigma, rng));
        }
        for (double sigma : new double[] {0.5, 1.0, 2.0}) {
            sets.put("test blurred σ=" + sigma + " px", Degrade.blur(test, sigma));
        }
        // Fashion-MNIST drops its bags (class 8); other data the same class number, or its last.
        List<String> names = test.classNames() != null && !test.classNames().isEmpty() ? test.classNames() : FashionMnist.CLASS_NAMES;
        int dropped = Math.min(8, names.size() - 1);
        sets.put("test without class " + dropped + " (" + names.get(dropped) + ")", Degrade.withoutClass(test, dropped));
        sets.put("test, class 0 only (" + names.get(0) + ")", Degrade.onlyClass(test, 0));
        sets.put("uniform noise", Degrade.uniformNoise(test.count(), test.channels(), test.height(), names.size(), rng));
        List<Evaluator.Report> reports = new ArrayList<>();
        for (var e : sets.entrySet()) {
            long t0 = System.nanoTime();
            FeatureSet f = net.embed(e.getValue(), FeatureNet.EMBED_BATCH);
            reports.add(Evaluator.evaluate(e.getKey(), f, train.stats(), train.features(), Evaluator.Options.defaults(seed), manager));
            Listener.current().message(String.format(Locale.ROOT, "%s: %.1f s", e.getKey(), (System.nanoTime() - t0) / 1e9));
        }
        var first = reports.get(0).seconds();
        String timing = String.format(Locale.ROOT, "%nAll metrics for %d test images against %d train images: %.1f s (%s); whole table %.0f s.%n",
                test.count(), train.features().size(), first.values().stream().mapToDouble(Double::doubleValue).sum(),
                first.entrySet().stream().map(x -> String.format(Locale.ROOT, "%s %.1f s", x.getKey(), x.getValue())).toList(),
                (System.nanoTime() - start) / 1e9);
        return new Result(Evaluator.table(reports), timing);
    }
}
