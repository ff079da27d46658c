package org.dlc4j.experiments;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.pipeline.Decoders;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.report.ImageGrid;
import org.dlc4j.report.Plots;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.ModelMismatchException;
import org.dlc4j.util.Rng;

/**
 * The composition experiments of Section 5.2 on random pairs of Fashion-MNIST test images from different classes:
 * {@link #table} (Table 3: Vendi diversity and how much of each source's class the compositions carry) and
 * {@link #sweep} (the probability of source a's class as its weight goes from 0 to 1).
 */
public final class CompositionStudy {
    /** A composition is "mixed" when the feature network gives both sources' classes at least this probability. */
    public static final double MIXED = 0.2;
    /** A pair has collapsed onto one source when at least this share of its compositions is classified as that source's class. */
    public static final double COLLAPSED = 0.9;
    private static final int SHOWN = 8;

    /**
     * @param pairs   random pairs of test images from different classes
     * @param perPair compositions per pair (and weight)
     * @param tau     SEM temperature of distribution mixing
     */
    public record Settings(int pairs, int perPair, List<Method> methods, DitSampling.Options sampling, double tau, long seed) {
        public Settings {
            if (pairs < 1 || perPair < 2) {
                throw new InvalidInputException("pairs must be at least 1 and n at least 2 (Vendi compares samples), not " + pairs + " and " + perPair);
            }
            methods = List.copyOf(methods);
        }
    }

    private final NDManager manager;
    private final ImageDataset test;
    private final Decoders decoders;
    private final FeatureNet net;
    private final Settings settings;
    private final int[][] pairs;
    private final List<List<Source>> sources = new ArrayList<>();
    private final int size;

    /** Draws the pairs (with the seed) and encodes their sources with the decoders' encoder. */
    public CompositionStudy(NDManager manager, ImageDataset test, Decoders decoders, FeatureNet net, Settings settings) {
        if (test.labels() == null || net.config().classes() == 0) {
            throw InvalidInputException.of("features", "the composition study reads each composition's classes: it needs pictures with classes and"
                    + " a feature network that tells them apart (" + (test.labels() == null ? test.name() + " has no classes" : "this one is self-supervised") + ")");
        }
        this.manager = manager;
        this.test = test;
        this.decoders = decoders;
        this.net = net;
        this.settings = settings;
        this.pairs = pairs(test, settings.pairs(), new Rng(settings.seed()));
        this.size = decoders.imageSize();
        try (TrainedEncoder enc = TrainedEncoder.load(manager, decoders.encoder())) {
            for (int[] pair : pairs) {
                ImageDataset first = test.slice(pair[0], pair[0] + 1);
                ImageDataset second = test.slice(pair[1], pair[1] + 1);
                sources.add(List.of(Source.encode(enc, first, List.of("test:" + pair[0]), settings.tau()).get(0),
                        Source.encode(enc, second, List.of("test:" + pair[1]), settings.tau()).get(0)));
            }
        }
    }

    /**
     * The blend tally every measurement here makes, whoever gives the two classes' probabilities (the feature network for
     * images, the nearest codes' votes for codes): their means, and the share of items giving both at least {@link #MIXED}.
     */
    public static final class Blend {
        private double pa;
        private double pb;
        private int mixed;
        private int n;

        public void add(double qa, double qb) {
            pa += qa;
            pb += qb;
            mixed += qa >= MIXED && qb >= MIXED ? 1 : 0;
            n++;
        }

        public double probA() {
            return pa / n;
        }

        public double probB() {
            return pb / n;
        }

        public double mixed() {
            return mixed / (double) n;
        }
    }

    /** What the feature network says about n compositions of a pair whose sources have classes a and b. */
    public record Measured(double vendi, double probA, double probB, double mixed, double shareA, double shareB) {
        public static Measured of(FeatureSet f, int a, int b) {
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

        public boolean collapsed() {
            return shareA >= COLLAPSED || shareB >= COLLAPSED;
        }
    }

    /** {@code count} pairs (a, b) of distinct test images of different classes, drawn with the seed. */
    public static int[][] pairs(ImageDataset test, int count, Rng rng) {
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

    /** n compositions of one pair: the images and what the DiT was given. */
    public record Composed(ImageDataset images, Condition condition) {}

    /** n compositions of pair {@code p} by method m with these weights (null: equal), seeded. */
    public Composed compose(Method m, int p, double[] weights, int n, long seed) {
        var cond = Composition.condition(m, sources.get(p), weights, n, new Rng(seed));
        DiT.Config c = decoders.dit(m).model().config();
        float[] images = decoders.sample(manager, m, sources.get(p), cond, settings.sampling(), new Rng(seed + 1));
        return new Composed(ImageDataset.fromBatch("compositions", images, c.channels(), c.image(), c.image()), cond);
    }

    /**
     * Table 3: writes table.csv, table.md and one grid per method (rows: source a, source b, compositions) to {@code dir}
     * and returns the Markdown table. With a labelled {@code gallery} of training codes, each composed code is also read
     * by its {@code codeKnn} nearest codes there.
     */
    public String table(Path dir, DlcFile gallery, int codeKnn) {
        List<Method> methods = settings.methods();
        if (gallery != null && (gallery.labels() == null || codeKnn < 1 || codeKnn > gallery.count())) {
            throw new InvalidInputException("the code gallery needs labelled codes (encode a labelled split) and a code vote k in 1.." + gallery.count()
                    + ", not " + codeKnn);
        }
        StringBuilder csv = new StringBuilder("method,pair,a,b,class_a,class_b,vendi,prob_a,prob_b,mixed,share_a,share_b,code_vote_a,code_vote_b,code_mixed\n");
        boolean readCodes = gallery != null && methods.stream().anyMatch(Method::makesCodes);
        // Each source's own code read the same way: how much of its class a whole code carries.
        Blend own = new Blend();
        if (readCodes) {
            checkGallery(gallery, sources.get(0).get(0));   // before any sampling; the sources share one encoder
            for (int p = 0; p < pairs.length; p++) {
                own.add(codeVotes(sources.get(p).get(0).code(), gallery, codeKnn)[test.labels()[pairs[p][0]]],
                        codeVotes(sources.get(p).get(1).code(), gallery, codeKnn)[test.labels()[pairs[p][1]]]);
            }
        }
        Map<Method, double[]> vendiByPair = new EnumMap<>(Method.class);
        StringBuilder byCode = new StringBuilder(String.format(Locale.ROOT, "%n| codes read by their %d nearest training codes | mixed | vote a | vote b |%n|---|---|---|---|%n", codeKnn));
        StringBuilder md = new StringBuilder("| method | Vendi ↑ (mean ± std) | mixed | P(class a) | P(class b) | pairs collapsed |\n|---|---|---|---|---|---|\n");
        for (Method m : methods) {
            List<Measured> rows = new ArrayList<>();
            double[] coded = new double[3];
            int plane = test.channels() * size * size;
            float[] grid = new float[pairs.length * (2 + SHOWN) * plane];
            for (int p = 0; p < pairs.length; p++) {
                int a = pairs[p][0];
                int b = pairs[p][1];
                Composed composed = compose(m, p, null, settings.perPair(), settings.seed() + 1000L * p);
                ImageDataset samples = composed.images();
                Measured r = Measured.of(net.embed(samples, FeatureNet.EMBED_BATCH), test.labels()[a], test.labels()[b]);
                rows.add(r);
                double[] votes = readCodes && m.makesCodes() ? codeBlend(composed.condition(), gallery, codeKnn, test.labels()[a], test.labels()[b]) : null;
                csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s%n", m.label(), p, a, b,
                        className(test, a), className(test, b), r.vendi, r.probA, r.probB, r.mixed, r.shareA, r.shareB,
                        votes == null ? ",," : String.format(Locale.ROOT, "%.4f,%.4f,%.4f", votes[0], votes[1], votes[2])));
                for (int i = 0; votes != null && i < 3; i++) {
                    coded[i] += votes[i] / pairs.length;
                }
                int row = p * (2 + SHOWN) * plane;
                System.arraycopy(test.slice(a, a + 1).padTo(size).image(0), 0, grid, row, plane);
                System.arraycopy(test.slice(b, b + 1).padTo(size).image(0), 0, grid, row + plane, plane);
                System.arraycopy(samples.batch(IntStream.range(0, Math.min(SHOWN, settings.perPair())).toArray()), 0, grid,
                        row + 2 * plane, Math.min(SHOWN, settings.perPair()) * plane);
                Listener.current().message(String.format(Locale.ROOT, "%s pair %d (%s + %s): Vendi %.2f, P(a) %.2f, P(b) %.2f, mixed %.2f", m.label(), p,
                        className(test, a), className(test, b), r.vendi, r.probA, r.probB, r.mixed));
            }
            ImageGrid.write(dir.resolve(m.label() + ".png"), grid, pairs.length * (2 + SHOWN), test.channels(), size, size, 2 + SHOWN, 2, 2);
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
        md.append(pixelBlends(test, pairs(test, Math.max(CALIBRATION_PAIRS, pairs.length), new Rng(settings.seed())), net, size));
        if (readCodes) {
            md.append(byCode).append(String.format(Locale.ROOT, "| each source's own code (calibration) | – | %.2f | %.2f |%n", own.probA(), own.probB()));
        }
        AtomicFiles.writeString(dir.resolve("table.csv"), csv.toString());
        AtomicFiles.writeString(dir.resolve("table.md"), md.toString());
        return md.toString();
    }

    /** The weight sweep over {@code grid} (weights on source a in [0, 1]): writes sweep.csv and sweep.png to {@code dir}. */
    public void sweep(Path dir, double[] grid) {
        List<Method> methods = settings.methods();
        for (double w : grid) {
            if (!(w >= 0 && w <= 1)) {
                throw InvalidInputException.of("grid", "grid weights must lie in [0, 1], not " + w);
            }
        }
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
                for (int p = 0; p < pairs.length; p++) {
                    ImageDataset samples = compose(m, p, new double[] {grid[g], 1 - grid[g]}, settings.perPair(), settings.seed() + 1000L * p).images();
                    Measured r = Measured.of(net.embed(samples, FeatureNet.EMBED_BATCH), test.labels()[pairs[p][0]], test.labels()[pairs[p][1]]);
                    pa += r.probA / pairs.length;
                    pb += r.probB / pairs.length;
                    sa += r.shareA / pairs.length;
                    sb += r.shareB / pairs.length;
                }
                probA[g] = pa;
                probB[g] = pb;
                csv.append(String.format(Locale.ROOT, "%s,%.3f,%.4f,%.4f,%.4f,%.4f%n", m.label(), grid[g], pa, pb, sa, sb));
                Listener.current().message(String.format(Locale.ROOT, "%s w_a %.2f: P(class a) %.3f, P(class b) %.3f", m.label(), grid[g], pa, pb));
            }
            series.add(new Plots.Series(m.label() + ": P(class a)", grid, probA));
            series.add(new Plots.Series(m.label() + ": P(class b)", grid, probB));
        }
        AtomicFiles.writeString(dir.resolve("sweep.csv"), csv.toString());
        Plots.line(dir.resolve("sweep.png"), "Composition weight sweep (" + pairs.length + " pairs × " + settings.perPair() + ")", "weight on source a",
                "mean feature-net probability", series, false, false);
    }

    private static String className(ImageDataset test, int i) {
        return (test.classNames().isEmpty() ? FashionMnist.CLASS_NAMES : test.classNames()).get(test.labels()[i]);
    }

    /** Refuses a gallery whose codes are not the sources' kind: another L×V or another encoder. */
    public static void checkGallery(DlcFile gallery, Source source) {
        if (source.length() != gallery.length() || source.vocab() != gallery.vocab()
                || !source.encoderSha().isEmpty() && !gallery.encoderSha().isEmpty() && !source.encoderSha().equals(gallery.encoderSha())) {
            String fix = source.encoderSha().isEmpty() ? "encode the training images with the same encoder"
                    : "encode the training images with theirs, " + ModelStore.shipped().encoderFor(source.encoderSha());
            throw new ModelMismatchException("the code gallery holds " + gallery.length() + "×" + gallery.vocab() + " codes of another encoder than the"
                    + " compositions' (" + source.length() + "×" + source.vocab() + "): " + fix);
        }
    }

    /** The class vote shares of the k gallery codes nearest {@code code}. */
    public static double[] codeVotes(int[] code, DlcFile gallery, int k) {
        return CodeStats.knnVotes(code, gallery, k, Arrays.stream(gallery.labels()).max().orElse(0) + 1);
    }

    /**
     * The mean vote of each composed code's k nearest gallery codes for source a's class and b's, and the share of codes
     * whose votes give both at least {@link #MIXED}: the "mixed" test of the images, put to the codes themselves.
     */
    public static double[] codeBlend(Condition composed, DlcFile gallery, int k, int a, int b) {
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
    public static String pairedVendi(Map<Method, double[]> vendiByPair) {
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
    public static String pixelBlends(ImageDataset test, int[][] pairs, FeatureNet net, int size) {
        float[] blends = new float[pairs.length * test.channels() * size * size];
        for (int p = 0; p < pairs.length; p++) {
            float[] a = test.slice(pairs[p][0], pairs[p][0] + 1).padTo(size).image(0);
            float[] b = test.slice(pairs[p][1], pairs[p][1] + 1).padTo(size).image(0);
            for (int i = 0; i < a.length; i++) {
                blends[p * a.length + i] = (a[i] + b[i]) / 2;
            }
        }
        FeatureSet f = net.embed(ImageDataset.fromBatch("pixel blends", blends, test.channels(), size, size), FeatureNet.EMBED_BATCH);
        Blend blend = new Blend();
        for (int p = 0; p < pairs.length; p++) {
            blend.add(f.probs()[p * f.classes() + test.labels()[pairs[p][0]]], f.probs()[p * f.classes() + test.labels()[pairs[p][1]]]);
        }
        return String.format(Locale.ROOT, "| pixel mean of the two sources (judge calibration: %d random pairs, one image each) | – | %.0f%% | %.2f | %.2f | – |%n",
                pairs.length, 100 * blend.mixed(), blend.probA(), blend.probB());
    }

    public static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n − 1), as a spread over pairs. */
    public static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return v.length > 1 ? Math.sqrt(s / (v.length - 1)) : 0;
    }
}
