package org.dlc4j.cli;

import org.dlc4j.pipeline.Compatibility;
import org.dlc4j.pipeline.CodeSampling;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.eval.Reference;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Images;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.text.Captions;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.text.TextToDlc;
import org.dlc4j.text.TrainedText;
import org.dlc4j.text.Unmasking;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dlc text table}: text to image on held-out prompts. For each sampler setting, n images — an equal share per
 * class, each from a held-out caption of that class (names or templates never seen in training) — go through the
 * text-to-DLC model and the DLC DiT; the feature network scores whether each image shows the prompted class
 * (conditional accuracy) and the Fréchet distance of each class's images to that class's test images.
 */
@Command(name = "table", mixinStandardHelpOptions = true,
        description = "Held-out prompts → codes → images for each remasking × step count; conditional accuracy and per-class FD.")
final class TextTableCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Mixin
    NetworkOption network;

    @Option(names = "--text-model", description = "Text-to-DLC model (default: the shipped one).")
    Path textPath;

    @Option(names = "--dit", description = "DLC-conditioned DiT (default: the shipped one).")
    Path ditPath;

    @Option(names = "--class-dit", description = "Class-conditional DiT (dlc dit train --cond class): sampled for the same classes and"
            + " guidance as the baseline row; each class's FD is then also given as a ratio to its FD (issue 8's ≤ 1.5×).")
    Path classDitPath;

    @Option(names = "--captions", description = "Caption TSV whose held-out captions are the prompts (default: the shipped one).")
    Path captionsPath;

    @Option(names = "--n", defaultValue = "1000", description = "Images per setting, split equally over the classes (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--text-steps", split = ",", defaultValue = "4,8,32", description = "Unmasking step counts (default: ${DEFAULT-VALUE}).")
    int[] stepCounts;

    @Option(names = "--remasking", split = ",", defaultValue = "low-confidence,random", description = "Remasking rules (default: ${DEFAULT-VALUE}).")
    List<String> remaskings;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Token sampling temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--text-scale", defaultValue = "" + Unmasking.Config.DEFAULT_SCALE, description = "Guidance on the caption; 1 is none (default: ${DEFAULT-VALUE}).")
    double textScale;

    @Mixin
    GuidedSamplerOptions sampling;

    @Option(names = "--codes", defaultValue = "out/codes/train.safetensors",
            description = "Labelled real codes: each generated code's class is that of the real code sharing most tokens with it (default: ${DEFAULT-VALUE}).")
    Path codesPath;

    @Option(names = "--out", defaultValue = "out/text/table", description = "Output folder: one samples.npz per setting, table.md (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        Captions captions = Captions.read(captionsPath != null ? captionsPath : Captions.defaultPath());
        int classes = captions.classes();
        if (n < classes) {
            throw new InvalidInputException("--n must be at least the " + classes + " classes, not " + n);
        }
        var options = sampling.options();
        // Prompts: class c's held-out captions in turn, n / classes of them per class (labels are the prompted class).
        List<String> prompts = new ArrayList<>();
        int per = n / classes;
        int[] labels = new int[per * classes];
        for (int c = 0; c < classes; c++) {
            int[] held = captions.of(c, true);
            if (held.length == 0) {
                throw new InvalidInputException("the caption file has no held-out caption for class " + c);
            }
            for (int i = 0; i < per; i++) {
                prompts.add(captions.texts().get(held[i % held.length]));
                labels[c * per + i] = c;
            }
        }
        if (!java.nio.file.Files.exists(codesPath)) {
            throw new InvalidInputException("labelled codes " + codesPath + " not found: make them with dlc encode --split train --out " + codesPath);
        }
        DlcFile real = DlcFile.read(codesPath);
        if (real.labels() == null) {
            throw new InvalidInputException(codesPath + " carries no labels: encode a Fashion-MNIST split with dlc encode --split");
        }
        StringBuilder md = new StringBuilder("| remasking | steps | code accuracy (1-NN) | image accuracy | FD | mean per-class FD | worst class FD |"
                + (classDitPath != null ? " per-class FD ÷ class DiT's: mean | worst |\n" : "\n")
                + "|---|---|---|---|---|---|---|" + (classDitPath != null ? "---|---|\n" : "\n"));
        try (NDManager manager = common.newManager(); TrainedText text = CodeSampling.loadText(manager, textPath != null ? textPath : ModelStore.shipped().text(), "text-model"); TextEncoder encoder = TextEncoder.load();
             FeatureNet net = network.load(manager)) {
            TextToDlc.Config tc = text.model().config();
            var reference = Reference.open("test", data.dir, 10_000, net, manager);
            double[] baseline = null;
            if (classDitPath != null) {
                try (NDManager scope = manager.newSubManager();
                     TrainedDit classDit = Compatibility.dit(scope, classDitPath, Conditioning.CLASS, "class-dit")) {
                    int size = classDit.model().config().image();
                    float[] images = DitSampling.sample(scope, classDit.model(), Condition.labels(labels), options, new Rng(common.seed + 1));
                    var report = score("class-dit", images, size, labels, net, reference, scope);
                    baseline = report.perClassFd();
                    String row = row("class-conditional DiT", "–", "–", report, null);
                    md.append(row);
                    System.out.print(row);
                }
            }
            try (TrainedDit dit = Compatibility.dlcDit(manager, ditPath != null ? ditPath : ModelStore.shipped().dit(Conditioning.DLC), tc.length(), tc.vocab(), text.encoderSha(), "the text model", "dit")) {
                int size = dit.model().config().image();
                for (String r : remaskings) {
                    for (int steps : stepCounts) {
                        var config = new Unmasking.Config(steps, Unmasking.Remasking.parse(r), temperature, textScale);
                        int[] codes = text.sample(encoder, prompts, config, 250, new Rng(common.seed));
                        double codeAccuracy = CodeStats.nearestLabelAccuracy(codes, labels, real);
                        float[] images = DitSampling.sample(manager, dit.model(), Condition.codes(codes, tc.length()), options, new Rng(common.seed + 1));
                        var report = score(config.remasking().label() + "-" + steps, images, size, labels, net, reference, manager);
                        String row = row(config.remasking().label(), Integer.toString(steps), String.format(Locale.ROOT, "%.1f%%", 100 * codeAccuracy),
                                report, baseline);
                        md.append(row);
                        System.out.print(row);
                    }
                }
            }
        }
        AtomicFiles.writeString(out.resolve("table.md"), md.toString());
        System.out.println("code accuracy: the class of the real training code sharing most tokens with each generated code; it scores the text"
                + " model alone, image accuracy scores text model and DiT together");
        System.out.print(md);
        System.out.println("wrote " + out.resolve("table.md") + " (samples per setting beside it; dlc eval reads them)");
        return 0;
    }

    /** Writes one setting's labelled samples beside the table and scores them against the test split, overall and per class. */
    private Evaluator.Report score(String name, float[] images, int size, int[] labels, FeatureNet net, Reference reference,
                                   NDManager manager) {
        ImageDataset samples = ImageDataset.fromBatch("text", images, 1, size, size).withLabels(labels, FashionMnist.CLASS_NAMES);
        ImageNpz.write(out.resolve(name).resolve(Images.SAMPLES_NPZ), samples);
        return Evaluator.evaluate(name, net.embed(Images.toFeatureInput(samples), FeatureNet.EMBED_BATCH), reference.stats(), reference.features(),
                Evaluator.Options.defaults(common.seed), manager);
    }

    /** A table row; with a baseline, also the mean and the worst over classes of this row's class FD over the baseline's. */
    private static String row(String remasking, String steps, String codeAccuracy, Evaluator.Report report, double[] baseline) {
        double[] fd = report.perClassFd();
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s | %s | %.1f%% | %.1f | %.1f | %.1f |", remasking, steps, codeAccuracy,
                100 * report.accuracy(), report.fd(), java.util.Arrays.stream(fd).average().orElse(Double.NaN),
                java.util.Arrays.stream(fd).max().orElse(Double.NaN)));
        if (baseline != null) {
            double[] ratio = java.util.stream.IntStream.range(0, fd.length).mapToDouble(c -> fd[c] / baseline[c]).toArray();
            row.append(String.format(Locale.ROOT, " %.2f | %.2f |", java.util.Arrays.stream(ratio).average().orElse(Double.NaN),
                    java.util.Arrays.stream(ratio).max().orElse(Double.NaN)));
        }
        return row.append('\n').toString();
    }
}
