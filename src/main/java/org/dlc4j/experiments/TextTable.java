package org.dlc4j.experiments;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Images;
import org.dlc4j.eval.Reference;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.text.Captions;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.text.TrainedText;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * Text to image on held-out prompts (Section 6). For each sampler setting, n images — an equal share per class, each
 * from a held-out caption of that class (names or templates never seen in training) — go through the text-to-DLC model
 * and the DLC DiT; the feature network scores whether each image shows the prompted class (conditional accuracy) and
 * the Fréchet distance of each class's images to that class's test images. Code accuracy reads each generated code by
 * the class of the real training code sharing most tokens with it: the text model alone.
 */
public final class TextTable {
    /**
     * @param n images per setting, split equally over the classes
     */
    public record Settings(int n, int[] stepCounts, List<Unmasking.Remasking> remaskings, double temperature, double textScale,
                           DitSampling.Options sampling, long seed) {
    }

    /**
     * The prompts, n / classes per class, each class's held-out captions in turn, and the class each prompts. The classes
     * alternate (prompt k is of class k mod classes) so that any contiguous slice, such as an Inception Score split, holds
     * every class alike: split by class blocks, each IS split would see one class and the score would read ≈ 1.
     */
    public record Prompts(List<String> texts, int[] labels) {
        public static Prompts heldOut(Captions captions, int n) {
            int classes = captions.classes();
            if (n < classes) {
                throw InvalidInputException.of("n", "n must be at least the " + classes + " classes, not " + n);
            }
            int per = n / classes;
            int[][] held = new int[classes][];
            for (int c = 0; c < classes; c++) {
                held[c] = captions.of(c, true);
                if (held[c].length == 0) {
                    throw new InvalidInputException("the caption file has no held-out caption for class " + c);
                }
            }
            List<String> prompts = new ArrayList<>();
            int[] labels = new int[per * classes];
            for (int i = 0; i < per; i++) {
                for (int c = 0; c < classes; c++) {
                    prompts.add(captions.texts().get(held[c][i % held[c].length]));
                    labels[i * classes + c] = c;
                }
            }
            return new Prompts(prompts, labels);
        }

        /**
         * n prompts from pictures' own captions (cycled), taken class by class in turn when {@code labels} is given, so
         * that any contiguous slice (the Inception Score's splits) holds every class, as {@link #heldOut} does; in the
         * given order when it is null.
         */
        public static Prompts ofPictures(List<String> captions, int[] labels, int n) {
            int[] order = labels == null ? IntStream.range(0, captions.size()).toArray() : interleaved(labels);
            List<String> texts = new ArrayList<>();
            int[] own = labels == null ? null : new int[n];
            for (int i = 0; i < n; i++) {
                int k = order[i % order.length];
                texts.add(captions.get(k));
                if (own != null) {
                    own[i] = labels[k];
                }
            }
            return new Prompts(texts, own);
        }

        /** The indices 0..N−1 reordered to take one of each label in turn (each label's indices in their order). */
        static int[] interleaved(int[] labels) {
            var byLabel = new TreeMap<Integer, List<Integer>>();
            for (int i = 0; i < labels.length; i++) {
                byLabel.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
            }
            int[] order = new int[labels.length];
            int filled = 0;
            for (int round = 0; filled < order.length; round++) {
                for (List<Integer> of : byLabel.values()) {
                    if (round < of.size()) {
                        order[filled++] = of.get(round);
                    }
                }
            }
            return order;
        }
    }

    private final NDManager manager;
    private final Settings settings;
    private final FeatureNet net;
    private final Reference reference;
    private final Path out;

    /** Scores against {@code reference} with {@code net}; writes each setting's samples and table.md to {@code out}. */
    public TextTable(NDManager manager, Settings settings, FeatureNet net, Reference reference, Path out) {
        this.manager = manager;
        this.settings = settings;
        this.net = net;
        this.reference = reference;
        this.out = out;
    }

    /**
     * Runs every remasking × step count for these prompts with the text model and the DiT (and first, when given, the
     * class-conditional DiT on the same classes, whose per-class FD the others are then also divided by); {@code real}
     * holds labelled real codes. Returns the Markdown table, also written to table.md.
     */
    public String run(Prompts prompts, TrainedText text, TextEncoder encoder, TrainedDit dit, TrainedDit classDit, DlcFile real) {
        if (real.labels() == null) {
            throw new InvalidInputException("the real codes carry no labels: encode a labelled Fashion-MNIST split");
        }
        int[] labels = prompts.labels();
        StringBuilder md = new StringBuilder("| remasking | steps | code accuracy (1-NN) | image accuracy | FD | mean per-class FD | worst class FD |"
                + (classDit != null ? " per-class FD ÷ class DiT's: mean | worst |\n" : "\n")
                + "|---|---|---|---|---|---|---|" + (classDit != null ? "---|---|\n" : "\n"));
        double[] baseline = null;
        if (classDit != null) {
            try (NDManager scope = manager.newSubManager()) {
                int size = classDit.model().config().image();
                float[] images = DitSampling.sample(scope, classDit.model(), Condition.labels(labels), settings.sampling(), new Rng(settings.seed() + 1));
                var report = score("class-dit", images, size, labels, scope);
                baseline = report.perClassFd();
                String row = row("class-conditional DiT", "–", "–", report, null);
                md.append(row);
                Listener.current().message(row.strip());
            }
        }
        int length = text.model().config().length();
        int size = dit.model().config().image();
        for (Unmasking.Remasking r : settings.remaskings()) {
            for (int steps : settings.stepCounts()) {
                var config = new Unmasking.Config(steps, r, settings.temperature(), settings.textScale());
                int[] codes = text.sample(encoder, prompts.texts(), config, 250, new Rng(settings.seed()));
                double codeAccuracy = CodeStats.nearestLabelAccuracy(codes, labels, real);
                float[] images = DitSampling.sample(manager, dit.model(), Condition.codes(codes, length), settings.sampling(), new Rng(settings.seed() + 1));
                var report = score(config.remasking().label() + "-" + steps, images, size, labels, manager);
                String row = row(config.remasking().label(), Integer.toString(steps), String.format(Locale.ROOT, "%.1f%%", 100 * codeAccuracy),
                        report, baseline);
                md.append(row);
                Listener.current().message(row.strip());
            }
        }
        AtomicFiles.writeString(out.resolve("table.md"), md.toString());
        return md.toString();
    }

    /** Writes one setting's labelled samples beside the table and scores them against the reference, overall and per class. */
    private Evaluator.Report score(String name, float[] images, int size, int[] labels, NDManager scope) {
        ImageDataset samples = ImageDataset.fromBatch("text", images, 1, size, size).withLabels(labels, FashionMnist.CLASS_NAMES);
        ImageNpz.write(out.resolve(name).resolve(Images.SAMPLES_NPZ), samples);
        return reference.score(name, samples, net, settings.seed(), scope);
    }

    /** A table row; with a baseline, also the mean and the worst over classes of this row's class FD over the baseline's. */
    private static String row(String remasking, String steps, String codeAccuracy, Evaluator.Report report, double[] baseline) {
        double[] fd = report.perClassFd();
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s | %s | %.1f%% | %.1f | %.1f | %.1f |", remasking, steps, codeAccuracy,
                100 * report.accuracy(), report.fd(), Arrays.stream(fd).average().orElse(Double.NaN), Arrays.stream(fd).max().orElse(Double.NaN)));
        if (baseline != null) {
            double[] ratio = IntStream.range(0, fd.length).mapToDouble(c -> fd[c] / baseline[c]).toArray();
            row.append(String.format(Locale.ROOT, " %.2f | %.2f |", Arrays.stream(ratio).average().orElse(Double.NaN),
                    Arrays.stream(ratio).max().orElse(Double.NaN)));
        }
        return row.append('\n').toString();
    }
}
