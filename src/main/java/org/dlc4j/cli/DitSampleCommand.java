package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Images;
import org.dlc4j.pipeline.Compatibility;
import org.dlc4j.pipeline.Conditioned;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc dit sample}: images from a trained DiT, conditioned on codes, images, a class or nothing. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample a trained DiT: conditions from a DLC file, from images encoded on the fly, from a class, or none; writes a PNG grid and samples.npz.")
final class DitSampleCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", description = "Trained DiT (default: the shipped models/dit/fmnist-dlc.safetensors).")
    Path modelPath;

    @Option(names = "--n", defaultValue = "64", description = "Images to draw (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--codes", description = "Condition on the first N codes of this DLC file (cycled if shorter); also a .pt of codes saved by"
            + " the authors' tools (torch.save of an integer tensor [N, L], e.g. their text-to-DLC chat_sem.py).")
    Path codesPath;

    @Option(names = "--images", description = "Condition on these images (PNG folder, .npz, or test/train for Fashion-MNIST), encoded with --encoder.")
    Path imagesPath;

    @Mixin
    DataOption data;

    @Mixin
    EncoderOption encoderFile;

    @Option(names = "--class", description = "Condition on this class id (class-conditional models).")
    Integer classId;

    @Mixin
    GuidedSamplerOptions sampling;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        if (n < 1) {
            throw new InvalidInputException("--n must be at least 1");
        }
        var options = sampling.options();
        Path model = modelPath != null ? modelPath : ModelStore.shipped().dit(Conditioning.DLC);
        if (!Files.exists(model)) {
            throw new InvalidInputException("DiT model " + model + " not found: train one with dlc dit train or pass --model");
        }
        try (NDManager manager = common.newManager(); TrainedDit dit = TrainedDit.load(manager, model)) {
            DiT.Config c = dit.model().config();
            Conditioned conditioned = condition(manager, dit, c);
            Condition cond = conditioned.condition();
            long start = System.nanoTime();
            float[] images = dit.sample(manager, cond, options, new Rng(common.seed));
            double seconds = (System.nanoTime() - start) / 1e9;
            conditioned.write(out, images, dit.output());
            System.out.printf(Locale.ROOT, "%d images in %.1f s (%.2f images/s), %s%nwrote %s and %s%n", n, seconds,
                    n / seconds, sampling.describe(), out.resolve("grid.png"), out.resolve(Images.SAMPLES_NPZ));
        }
        return 0;
    }

    private Conditioned condition(NDManager manager, TrainedDit dit, DiT.Config c) {
        int sources = (codesPath != null ? 1 : 0) + (imagesPath != null ? 1 : 0) + (classId != null ? 1 : 0);
        if (sources > 1) {
            throw new InvalidInputException("give at most one of --codes, --images and --class");
        }
        Path encoder = encoderFile.resolveFor(dit.encoderSha());
        if (imagesPath != null && c.conditioning() != Conditioning.NONE) {
            return Conditioned.fromImages(manager, dit, loadImages(), encoder, n);
        }
        return switch (c.conditioning()) {
            case NONE -> {
                if (sources > 0) {
                    throw new InvalidInputException("this DiT is unconditional: drop --codes, --images and --class");
                }
                yield new Conditioned(Condition.none(n), null);
            }
            case CLASS -> {
                if (classId == null) {
                    throw new InvalidInputException("this DiT is class-conditional: pass --class 0.." + (c.classes() - 1) + " or labelled --images");
                }
                if (classId < 0 || classId >= c.classes()) {
                    throw new InvalidInputException("--class " + classId + " is outside 0.." + (c.classes() - 1));
                }
                yield Conditioned.ofClass(classId, n);
            }
            case DLC -> {
                if (codesPath == null) {
                    throw new InvalidInputException("this DiT is DLC-conditional: pass --codes FILE or --images DIR");
                }
                // A .pt of the authors' tools (their text-to-DLC model, their SEDD sampler) is read as well as dlc4j's own files.
                DlcFile codes = Files.exists(codesPath) && DlcFile.isTorch(codesPath) ? DlcFile.fromTorch(codesPath, c.vocab()) : DlcFile.read(codesPath);
                Compatibility.encoder(dit, codes.encoderSha(), "the codes in " + codesPath);
                yield Conditioned.ofCodes(dit, codes, n);
            }
            case SEM -> throw new InvalidInputException("this DiT is conditioned on SEM vectors: pass --images DIR (or test)");
        };
    }

    /** The first --n conditioning images: a Fashion-MNIST split by name, else a folder or .npz. */
    private ImageDataset loadImages() {
        String name = imagesPath.toString();
        if ((name.equals("test") || name.equals("train")) && !Files.exists(imagesPath)) {
            return FashionMnist.load(data.dir, FashionMnist.Split.parse(name), n);
        }
        return Images.load(imagesPath);
    }
}
