package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Reference;
import org.dlc4j.experiments.DitCurve;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dlc dit curve}: quality against training images seen (the paper's Figure 4). Each model — typically the EMA
 * snapshots a run writes with {@code --snapshot-every} — samples one image per test image (conditioned on that
 * image's class, code or SEM vector as the model reads it) and is scored against Fashion-MNIST test. Rows already in
 * the CSV for the same model file and settings are reused, so the curve can be built a few models at a time.
 */
@Command(name = "curve", mixinStandardHelpOptions = true,
        description = "FD, KID and conditional accuracy of DiT snapshots against training images seen (Figure 4); writes curve.csv and curve.png.")
final class DitCurveCommand implements Callable<Integer> {
    @Mixin
    ScoringOptions scoring;

    @Parameters(paramLabel = "MODEL", arity = "1..*", description = "Trained DiTs or snapshots (e.g. out/dit/train-dlc-step*.safetensors).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--n", defaultValue = "1000", description = "Samples per model, conditioned on the first N test images (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    DitSamplerOptions samplerOptions;

    @Option(names = "--scale", defaultValue = "1.0", description = "Classifier-free guidance scale (default: ${DEFAULT-VALUE}: none).")
    double scale;

    @Mixin
    EncoderOption encoderFile;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        if (n < 2) {
            throw new InvalidInputException("--n must be at least 2 (FD needs a covariance)");
        }
        for (Path m : models) {
            if (!Files.isRegularFile(m)) {
                throw new InvalidInputException("DiT model " + m + " not found: pass trained models or the snapshots of dlc dit train --snapshot-every");
            }
        }
        var settings = new DitCurve.Settings(n, samplerOptions.config(), samplerOptions.describe(), scale, encoderFile.path, scoring.common.seed);
        ImageDataset test = FashionMnist.load(scoring.data.dir, FashionMnist.Split.TEST, n);
        try (NDManager manager = scoring.common.newManager(); FeatureNet net = scoring.network.load(manager)) {
            DitCurve.run(manager, settings, models, test, net, Reference.open("test", scoring.data.dir, 10_000, net, manager), out);
        }
        System.out.println("wrote " + out.resolve("curve.csv") + " and " + out.resolve("curve.png"));
        return 0;
    }
}
