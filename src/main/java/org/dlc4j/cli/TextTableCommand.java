package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.diffusion.gaussian.Guidance;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Images;
import org.dlc4j.eval.Reference;
import org.dlc4j.experiments.TextTable;
import org.dlc4j.pipeline.CodeSampling;
import org.dlc4j.pipeline.Compatibility;
import org.dlc4j.text.Captions;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.text.TrainedText;
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
    ScoringOptions scoring;

    @Mixin
    TextModelOption textFile;

    @Mixin
    DitOption ditFile;

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

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        Captions captions = Captions.read(captionsPath != null ? captionsPath : Captions.defaultPath());
        if (n < captions.classes()) {
            throw new InvalidInputException("--n must be at least the " + captions.classes() + " classes, not " + n);
        }
        var prompts = TextTable.Prompts.heldOut(captions, n);
        var settings = new TextTable.Settings(n, stepCounts, remaskings.stream().map(Unmasking.Remasking::parse).toList(), temperature, textScale,
                sampling.options(), scoring.common.seed);
        if (!java.nio.file.Files.exists(codesPath)) {
            throw new InvalidInputException("labelled codes " + codesPath + " not found: make them with dlc encode --split train --out " + codesPath);
        }
        DlcFile real = DlcFile.read(codesPath);
        if (real.labels() == null) {
            throw new InvalidInputException(codesPath + " carries no labels: encode a Fashion-MNIST split with dlc encode --split");
        }
        String md;
        try (NDManager manager = scoring.common.newManager();
             TrainedText text = CodeSampling.loadText(manager, textFile.resolve(), "text-model");
             TextEncoder encoder = TextEncoder.load(); FeatureNet net = scoring.network.load(manager);
             TrainedDit classDit = classDitPath != null ? Compatibility.dit(manager, classDitPath, Conditioning.CLASS, "class-dit") : null;
             TrainedDit dit = Compatibility.dlcDit(manager, ditFile.resolve(),
                     text.model().config().length(), text.model().config().vocab(), text.encoderSha(), "the text model", "dit")) {
            var reference = Reference.open("test", scoring.data.dir, 10_000, net, manager);
            md = new TextTable(manager, settings, net, reference, out).run(prompts, text, encoder, dit, classDit, real);
        }
        System.out.println("code accuracy: the class of the real training code sharing most tokens with each generated code; it scores the text"
                + " model alone, image accuracy scores text model and DiT together");
        System.out.print(md);
        System.out.println("wrote " + out.resolve("table.md") + " (samples per setting beside it; dlc eval reads them)");
        return 0;
    }
}
