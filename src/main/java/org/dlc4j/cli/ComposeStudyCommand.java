package org.dlc4j.cli;

import org.dlc4j.io.AtomicFiles;
import org.dlc4j.pipeline.Decoders;
import org.dlc4j.pipeline.ModelStore;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.dlc4j.compose.Composition;
import org.dlc4j.compose.Composition.Method;
import org.dlc4j.compose.Source;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureSet;
import org.dlc4j.eval.Vendi;
import org.dlc4j.report.ImageGrid;
import org.dlc4j.report.Plots;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The composition experiments of Section 5.2 on random pairs of Fashion-MNIST test images from different classes:
 * {@code dlc compose table} (Table 3: Vendi diversity and how much of each source's class the compositions carry)
 * and {@code dlc compose sweep} (the probability of source a's class as its weight goes from 0 to 1).
 */
final class ComposeStudyCommand {
    /** A composition is "mixed" when the feature network gives both sources' classes at least this probability. */
    static final double MIXED = 0.2;
    /** A pair has collapsed onto one source when at least this share of its compositions is classified as that source's class. */
    static final double COLLAPSED = 0.9;

    private ComposeStudyCommand() {}

    /**
     * The blend tally every measurement here makes, whoever gives the two classes' probabilities (the feature network for
     * images, the nearest codes' votes for codes): their means, and the share of items giving both at least {@link #MIXED}.
     */
    static final class Blend {
        private double pa;
        private double pb;
        private int mixed;
        private int n;

        void add(double qa, double qb) {
            pa += qa;
            pb += qb;
            mixed += qa >= MIXED && qb >= MIXED ? 1 : 0;
            n++;
        }

        double probA() {
            return pa / n;
        }

        double probB() {
            return pb / n;
        }

        double mixed() {
            return mixed / (double) n;
        }
    }

    /** What the feature network says about n compositions of a pair whose sources have classes a and b. */
    record Measured(double vendi, double probA, double probB, double mixed, double shareA, double shareB) {
        static Measured of(FeatureSet f, int a, int b) {
            int n = f.size();
            int k = f.classes();
            Blend blend = new Blend();
            int sa = 0;
            int sb = 0;
            for (int i = 0; i < n; i++) {
                blend.add(f.probs()[i * k + a], f.probs()[i * k + b]);
                sa += f.predicted(i) == a ? 1 : 0;
                sb += f.predicted(i) == b ? 1 : 0;
            }
            return new Measured(Vendi.score(f.pool()), blend.probA(), blend.probB(), blend.mixed(), sa / (double) n, sb / (double) n);
        }

        boolean collapsed() {
            return shareA >= COLLAPSED || shareB >= COLLAPSED;
        }
    }

    /** The flags and machinery both studies share: pairs of test images, their sources, compositions and measurements. */
    abstract static class Study {
        @Mixin
        CommonOptions common;

        @Mixin
        DataOption data;

        @Mixin
        ComposeModelOptions models;

        @Mixin
        GuidedSamplerOptions sampling;

        @Mixin
        NetworkOption network;

        @Option(names = "--pairs", description = "Random pairs of test images from different classes.")
        Integer pairs;

        @Option(names = "--n", description = "Compositions per pair (and weight).")
        Integer n;

        @Option(names = "--methods", split = ",", description = "Methods to compare: code, distribution, embedding.")
        List<String> methodNames;

        @Option(names = "--out", description = "Output folder.")
        Path out;

        /** {@code count} pairs (a, b) of distinct test images of different classes, drawn with the seed. */
        static int[][] pairs(ImageDataset test, int count, Rng rng) {
            int[][] out = new int[count][];
            for (int p = 0; p < count; p++) {
                int a = rng.nextInt(test.count());
                int b;
                do {
                    b = rng.nextInt(test.count());
                } while (test.labels()[b] == test.labels()[a]);
                out[p] = new int[] {a, b};
            }
            return out;
        }

        List<Method> methods(List<String> defaults) {
            List<Method> out = new ArrayList<>();
            for (String s : methodNames != null ? methodNames : defaults) {
                Method m = Composition.Method.parse(s);
                if (!out.contains(m)) {
                    out.add(m);
                }
            }
            return out;
        }

        /** Runs the study with everything loaded: the test split, the encoder, the DiTs the methods need, the feature network. */
        Integer run(List<Method> methods, int pairCount, int perPair, Body body) {
            if (pairCount < 1 || perPair < 2) {
                throw new InvalidInputException("--pairs must be at least 1 and --n at least 2 (Vendi compares samples), not " + pairCount + " and " + perPair);
            }
            var options = sampling.options();
            ImageDataset test = FashionMnist.load(data.dir, FashionMnist.Split.TEST);
            int[][] chosen = pairs(test, pairCount, new Rng(common.seed));
            try (NDManager manager = common.newManager(); var decoders = models.load(manager, EnumSet.copyOf(methods));
                 FeatureNet net = network.load(manager)) {
                List<List<Source>> sources = new ArrayList<>();
                try (TrainedEncoder enc = TrainedEncoder.load(manager, decoders.encoder())) {
                    for (int[] pair : chosen) {
                        ImageDataset two = test.slice(pair[0], pair[0] + 1);
                        ImageDataset second = test.slice(pair[1], pair[1] + 1);
                        sources.add(List.of(Source.encode(enc, two, List.of("test:" + pair[0]), models.tau).get(0),
                                Source.encode(enc, second, List.of("test:" + pair[1]), models.tau).get(0)));
                    }
                }
                Composer composer = (m, p, weights, count, seed) -> {
                    var cond = Composition.condition(m, sources.get(p), weights, count, new Rng(seed));
                    DiT.Config c = decoders.dit(m).model().config();
                    float[] images = decoders.sample(manager, m, sources.get(p), cond, options, new Rng(seed + 1));
                    return new Composed(ImageDataset.fromBatch("compositions", images, c.channels(), c.image(), c.image()), cond);
                };
                return body.run(test, chosen, sources, composer, net, decoders.imageSize());
            }
        }

        /** n compositions of one pair: the images and what the DiT was given. */
        record Composed(ImageDataset images, Condition condition) {}

        interface Composer {
            Composed compose(Method m, int pair, double[] weights, int n, long seed);
        }

        interface Body {
            Integer run(ImageDataset test, int[][] pairs, List<List<Source>> sources, Composer composer, FeatureNet net, int size);
        }

        Path out(String fallback) {
            Path dir = out != null ? out : Path.of(fallback);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return dir;
        }

        static String className(ImageDataset test, int i) {
            return FashionMnist.CLASS_NAMES.get(test.labels()[i]);
        }
    }

    @Command(name = "table", mixinStandardHelpOptions = true,
            description = "Table 3 analogue: for random pairs of test images from different classes, compositions by each method; Vendi"
                    + " diversity (mean ± std over pairs), the probability mass on each source's class, the share of mixed compositions.")
    static final class Table extends Study implements Callable<Integer> {
        private static final int SHOWN = 8;

        @Option(names = "--code-gallery", description = "Labelled codes of the training images (dlc encode --split train): also reads each"
                + " composed code by its --code-knn nearest codes there, to tell a blend the code carries from one the DiT draws.")
        Path galleryPath;

        @Option(names = "--code-knn", defaultValue = "20", description = "Neighbours in the code vote (default: ${DEFAULT-VALUE}).")
        int codeKnn;

        @Override
        public Integer call() {
            List<Method> methods = methods(List.of("code", "distribution", "embedding"));
            int perPair = n != null ? n : 256;
            DlcFile gallery = galleryPath != null ? DlcFile.read(galleryPath) : null;
            if (gallery != null && (gallery.labels() == null || codeKnn < 1 || codeKnn > gallery.count())) {
                throw new InvalidInputException("--code-gallery needs labelled codes (dlc encode --split train) and --code-knn in 1.." + gallery.count()
                        + ", not " + codeKnn);
            }
            Path dir = out("out/compose/table");
            return run(methods, pairs != null ? pairs : 10, perPair, (test, chosen, sources, composer, net, size) -> {
                StringBuilder csv = new StringBuilder("method,pair,a,b,class_a,class_b,vendi,prob_a,prob_b,mixed,share_a,share_b,code_vote_a,code_vote_b,code_mixed\n");
                boolean readCodes = gallery != null && methods.stream().anyMatch(Method::makesCodes);
                // Each source's own code read the same way: how much of its class a whole code carries.
                Blend own = new Blend();
                if (readCodes) {
                    checkGallery(gallery, sources.get(0).get(0));   // before any sampling; the sources share one encoder
                    for (int p = 0; p < chosen.length; p++) {
                        own.add(codeVotes(sources.get(p).get(0).code(), gallery, codeKnn)[test.labels()[chosen[p][0]]],
                                codeVotes(sources.get(p).get(1).code(), gallery, codeKnn)[test.labels()[chosen[p][1]]]);
                    }
                }
                Map<Method, double[]> vendiByPair = new EnumMap<>(Method.class);
                StringBuilder byCode = new StringBuilder(String.format(Locale.ROOT, "%n| codes read by their %d nearest training codes | mixed | vote a | vote b |%n|---|---|---|---|%n", codeKnn));
                StringBuilder md = new StringBuilder("| method | Vendi ↑ (mean ± std) | mixed | P(class a) | P(class b) | pairs collapsed |\n|---|---|---|---|---|---|\n");
                for (Method m : methods) {
                    List<Measured> rows = new ArrayList<>();
                    double[] coded = new double[3];
                    float[] grid = new float[chosen.length * (2 + SHOWN) * size * size];
                    for (int p = 0; p < chosen.length; p++) {
                        int a = chosen[p][0];
                        int b = chosen[p][1];
                        Composed composed = composer.compose(m, p, null, perPair, common.seed + 1000L * p);
                        ImageDataset samples = composed.images();
                        Measured r = Measured.of(net.embed(samples, FeatureNet.EMBED_BATCH), test.labels()[a], test.labels()[b]);
                        rows.add(r);
                        double[] votes = readCodes && m.makesCodes() ? codeBlend(composed.condition(), gallery, codeKnn, test.labels()[a], test.labels()[b]) : null;
                        csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s%n", m.label(), p, a, b,
                                className(test, a), className(test, b), r.vendi, r.probA, r.probB, r.mixed, r.shareA, r.shareB,
                                votes == null ? ",," : String.format(Locale.ROOT, "%.4f,%.4f,%.4f", votes[0], votes[1], votes[2])));
                        for (int i = 0; votes != null && i < 3; i++) {
                            coded[i] += votes[i] / chosen.length;
                        }
                        int row = p * (2 + SHOWN) * size * size;
                        System.arraycopy(test.slice(a, a + 1).padTo(size).image(0), 0, grid, row, size * size);
                        System.arraycopy(test.slice(b, b + 1).padTo(size).image(0), 0, grid, row + size * size, size * size);
                        System.arraycopy(samples.batch(IntStream.range(0, Math.min(SHOWN, perPair)).toArray()), 0, grid,
                                row + 2 * size * size, Math.min(SHOWN, perPair) * size * size);
                        System.out.printf(Locale.ROOT, "%s pair %d (%s + %s): Vendi %.2f, P(a) %.2f, P(b) %.2f, mixed %.2f%n", m.label(), p,
                                className(test, a), className(test, b), r.vendi, r.probA, r.probB, r.mixed);
                    }
                    ImageGrid.write(dir.resolve(m.label() + ".png"), grid, chosen.length * (2 + SHOWN), 1, size, size, 2 + SHOWN, 2, 2);
                    double[] vendi = rows.stream().mapToDouble(Measured::vendi).toArray();
                    vendiByPair.put(m, vendi);
                    md.append(String.format(Locale.ROOT, "| %s | %.2f ± %.2f | %.0f%% | %.2f | %.2f | %d of %d |%n", m.label(), mean(vendi), std(vendi),
                            100 * rows.stream().mapToDouble(Measured::mixed).average().orElse(0), rows.stream().mapToDouble(Measured::probA).average().orElse(0),
                            rows.stream().mapToDouble(Measured::probB).average().orElse(0), rows.stream().filter(Measured::collapsed).count(), rows.size()));
                    if (readCodes && m.makesCodes()) {
                        byCode.append(String.format(Locale.ROOT, "| %s | %.0f%% | %.2f | %.2f |%n", m.label(), 100 * coded[2], coded[0], coded[1]));
                    }
                }
                md.append(pairedVendi(vendiByPair));
                // The same draws as the table's pairs, continued, so the table's pairs come first.
                md.append(pixelBlends(test, pairs(test, Math.max(CALIBRATION_PAIRS, chosen.length), new Rng(common.seed)), net, size));
                if (readCodes) {
                    md.append(byCode).append(String.format(Locale.ROOT, "| each source's own code (calibration) | – | %.2f | %.2f |%n", own.probA(), own.probB()));
                }
                AtomicFiles.writeString(dir.resolve("table.csv"), csv.toString());
                AtomicFiles.writeString(dir.resolve("table.md"), md.toString());
                System.out.print(md);
                System.out.println("wrote " + dir.resolve("table.md") + ", table.csv and one grid per method (rows: source a, source b, compositions)");
                return 0;
            });
        }
    }

    /** Refuses a gallery whose codes are not the sources' kind: another L×V or another encoder. */
    static void checkGallery(DlcFile gallery, Source source) {
        if (source.length() != gallery.length() || source.vocab() != gallery.vocab()
                || !source.encoderSha().isEmpty() && !gallery.encoderSha().isEmpty() && !source.encoderSha().equals(gallery.encoderSha())) {
            String fix = source.encoderSha().isEmpty() ? "encode the training images with the same encoder"
                    : "encode the training images with theirs: dlc encode --split train --encoder " + ModelStore.shipped().encoderFor(source.encoderSha());
            throw new InvalidInputException("--code-gallery holds " + gallery.length() + "×" + gallery.vocab() + " codes of another encoder than the"
                    + " compositions' (" + source.length() + "×" + source.vocab() + "): " + fix);
        }
    }

    /** The class vote shares of the k gallery codes nearest {@code code}. */
    static double[] codeVotes(int[] code, DlcFile gallery, int k) {
        return CodeStats.knnVotes(code, gallery, k, FashionMnist.CLASS_NAMES.size());
    }

    /**
     * The mean vote of each composed code's k nearest gallery codes for source a's class and b's, and the share of codes
     * whose votes give both at least {@link #MIXED}: the "mixed" test of the images, put to the codes themselves.
     */
    static double[] codeBlend(Condition composed, DlcFile gallery, int k, int a, int b) {
        int[] tokens = composed.tokens();
        int l = gallery.length();
        double[][] votes = IntStream.range(0, tokens.length / l).parallel()
                .mapToObj(i -> codeVotes(Arrays.copyOfRange(tokens, i * l, (i + 1) * l), gallery, k))
                .toArray(double[][]::new);
        Blend blend = new Blend();
        for (double[] v : votes) {
            blend.add(v[a], v[b]);
        }
        return new double[] {blend.probA(), blend.probB(), blend.mixed()};
    }

    /**
     * Each code method's Vendi less the averaged embedding's on the same pair, mean ± std over pairs, and how many pairs it
     * wins: the spread over pairs is mostly between pairs (two shirts vary less than a shirt and a sandal), which a
     * pairwise difference removes and the table's per-method mean ± std keeps.
     */
    static String pairedVendi(Map<Method, double[]> vendiByPair) {
        double[] baseline = vendiByPair.get(Method.EMBEDDING);
        StringBuilder out = new StringBuilder();
        for (var e : vendiByPair.entrySet()) {
            if (baseline != null && e.getKey().makesCodes()) {
                double[] d = new double[baseline.length];
                int wins = 0;
                for (int p = 0; p < d.length; p++) {
                    d[p] = e.getValue()[p] - baseline[p];
                    wins += d[p] > 0 ? 1 : 0;
                }
                out.append(String.format(Locale.ROOT, "| %s − embedding, per pair (paired) | %+.2f ± %.2f, higher in %d of %d pairs | | | | |%n",
                        e.getKey().label(), mean(d), std(d), wins, d.length));
            }
        }
        return out.toString();
    }

    /** Random test pairs whose pixel means calibrate the judge: enough for a share to the percent. */
    static final int CALIBRATION_PAIRS = 1000;

    /**
     * A calibration row for the judge rather than a method: the pixel mean of each pair's two sources, one image per pair.
     * How often the feature network calls this crude overlay "mixed" says how readily it sees two classes in one picture.
     */
    static String pixelBlends(ImageDataset test, int[][] pairs, FeatureNet net, int size) {
        float[] blends = new float[pairs.length * size * size];
        for (int p = 0; p < pairs.length; p++) {
            float[] a = test.slice(pairs[p][0], pairs[p][0] + 1).padTo(size).image(0);
            float[] b = test.slice(pairs[p][1], pairs[p][1] + 1).padTo(size).image(0);
            for (int i = 0; i < a.length; i++) {
                blends[p * a.length + i] = (a[i] + b[i]) / 2;
            }
        }
        FeatureSet f = net.embed(ImageDataset.fromBatch("pixel blends", blends, 1, size, size), FeatureNet.EMBED_BATCH);
        Blend blend = new Blend();
        for (int p = 0; p < pairs.length; p++) {
            blend.add(f.probs()[p * f.classes() + test.labels()[pairs[p][0]]], f.probs()[p * f.classes() + test.labels()[pairs[p][1]]]);
        }
        return String.format(Locale.ROOT, "| pixel mean of the two sources (judge calibration: %d random pairs, one image each) | – | %.0f%% | %.2f | %.2f | – |%n",
                pairs.length, 100 * blend.mixed(), blend.probA(), blend.probB());
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = "Weight sweep: compositions of random test pairs as the weight on source a goes from 0 to 1; the mean probability"
                    + " of a's and b's classes against that weight, plotted.")
    static final class Sweep extends Study implements Callable<Integer> {
        @Option(names = "--grid", split = ",", defaultValue = "0,0.2,0.4,0.5,0.6,0.8,1", description = "Weights on source a (default: ${DEFAULT-VALUE}).")
        double[] grid;

        @Override
        public Integer call() {
            List<Method> methods = methods(List.of("code"));
            for (double w : grid) {
                if (!(w >= 0 && w <= 1)) {
                    throw new InvalidInputException("--grid weights must lie in [0, 1], not " + w);
                }
            }
            int perPair = n != null ? n : 64;
            Path dir = out("out/compose/sweep");
            return run(methods, pairs != null ? pairs : 3, perPair, (test, chosen, sources, composer, net, size) -> {
                StringBuilder csv = new StringBuilder("method,weight_a,prob_a,prob_b,share_a,share_b\n");
                List<Plots.Series> series = new ArrayList<>();
                for (Method m : methods) {
                    double[] probA = new double[grid.length];
                    double[] probB = new double[grid.length];
                    for (int g = 0; g < grid.length; g++) {
                        double sa = 0;
                        double sb = 0;
                        double pa = 0;
                        double pb = 0;
                        for (int p = 0; p < chosen.length; p++) {
                            ImageDataset samples = composer.compose(m, p, new double[] {grid[g], 1 - grid[g]}, perPair, common.seed + 1000L * p).images();
                            Measured r = Measured.of(net.embed(samples, FeatureNet.EMBED_BATCH), test.labels()[chosen[p][0]], test.labels()[chosen[p][1]]);
                            pa += r.probA / chosen.length;
                            pb += r.probB / chosen.length;
                            sa += r.shareA / chosen.length;
                            sb += r.shareB / chosen.length;
                        }
                        probA[g] = pa;
                        probB[g] = pb;
                        csv.append(String.format(Locale.ROOT, "%s,%.3f,%.4f,%.4f,%.4f,%.4f%n", m.label(), grid[g], pa, pb, sa, sb));
                        System.out.printf(Locale.ROOT, "%s w_a %.2f: P(class a) %.3f, P(class b) %.3f%n", m.label(), grid[g], pa, pb);
                    }
                    series.add(new Plots.Series(m.label() + ": P(class a)", grid, probA));
                    series.add(new Plots.Series(m.label() + ": P(class b)", grid, probB));
                }
                AtomicFiles.writeString(dir.resolve("sweep.csv"), csv.toString());
                Plots.line(dir.resolve("sweep.png"), "Composition weight sweep (" + chosen.length + " pairs × " + perPair + ")", "weight on source a",
                        "mean feature-net probability", series, false, false);
                System.out.println("wrote " + dir.resolve("sweep.csv") + " and " + dir.resolve("sweep.png"));
                return 0;
            });
        }
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n − 1), as a spread over pairs. */
    static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return v.length > 1 ? Math.sqrt(s / (v.length - 1)) : 0;
    }
}
