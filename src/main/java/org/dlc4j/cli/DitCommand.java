package org.dlc4j.cli;

import org.dlc4j.pipeline.Compatibility;
import org.dlc4j.pipeline.Conditioned;
import org.dlc4j.pipeline.ModelStore;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.diffusion.SamplerConfig;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.DitTraining;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Images;
import org.dlc4j.report.ImageGrid;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.Home;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc dit}: train the image generator and sample it. */
@Command(name = "dit", mixinStandardHelpOptions = true, description = "Train the DiT image generator (unconditional, class, DLC or SEM conditioned) and sample it.",
        subcommands = {DitCommand.Train.class, DitCommand.Sample.class, DitCurveCommand.class})
public final class DitCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new InvalidInputException("dlc dit needs a subcommand: train or sample (see dlc dit --help)");
    }

    static Conditioning parseCond(String s) {
        try {
            return Conditioning.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--cond '" + s + "' is not none, class, dlc or sem");
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a DiT on Fashion-MNIST train (resumable).")
    static final class Train implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Mixin
        DataOption data;

        @Option(names = "--preset", defaultValue = "DiT-T/4", description = "Model size: tiny, DiT-T/4, DiT-T/2, DiT-S/4, DiT-S/2 (default: ${DEFAULT-VALUE}).")
        String preset;

        @Option(names = "--cond", defaultValue = "dlc", description = "none, class, dlc or sem (default: ${DEFAULT-VALUE}).")
        String cond;

        @Option(names = "--encoder", description = "SEM encoder for --cond dlc|sem (default: the shipped models/sem/fmnist-sem-32x64.safetensors).")
        Path encoderPath;

        @Option(names = "--codes", description = "DLC file of the training images (dlc encode --split train); else they are encoded with --encoder.")
        Path codesPath;

        @Option(names = "--epochs", description = "Passes over the training images (default: 6).")
        Integer epochs;

        @Option(names = "--limit", defaultValue = "0", description = "Train on the first N images only (default: all).")
        int limit;

        @Option(names = "--batch", description = "Images per step (default: 128).")
        Integer batch;

        @Option(names = "--lr", description = "AdamW learning rate, constant (default: 5e-4; the reference's is 1e-4).")
        Double lr;

        @Option(names = "--code-pooling", description = "How --cond dlc pools its L token embeddings: scaled (mean × √L: the code is"
                + " read much sooner, README) or mean (the reference's SEMEmbedder) (default: scaled).")
        String codePooling;

        @Option(names = "--out", description = "Where to write the trained model (default: models/dit/fmnist-COND.safetensors).")
        Path out;

        @Option(names = "--checkpoint", description = "Resumable training state (default: out/dit/train-COND.safetensors).")
        Path checkpoint;

        @Option(names = "--resume", description = "Continue from --checkpoint if it exists.")
        boolean resume;

        @Option(names = "--stop-at", description = "Stop at this step with a checkpoint (continue later with --resume).")
        Long stopAt;

        @Option(names = "--snapshot-every", defaultValue = "0",
                description = "Also write the EMA weights every this many steps beside the checkpoint, for FD against images seen (default: never).")
        long snapshotEvery;

        @Override
        public Integer call() {
            Conditioning conditioning = parseCond(cond);
            if (snapshotEvery < 0) {
                throw new InvalidInputException("--snapshot-every must be ≥ 0, not " + snapshotEvery);
            }
            if (lr != null && !(lr > 0)) {
                throw new InvalidInputException("--lr must be positive, not " + lr);
            }
            if (batch != null && batch < 1) {
                throw new InvalidInputException("--batch must be at least 1");
            }
            if (codePooling != null && !codePooling.equals("mean") && !codePooling.equals("scaled")) {
                throw new InvalidInputException("--code-pooling '" + codePooling + "' is not mean or scaled");
            }
            if (codePooling != null && conditioning != Conditioning.DLC) {
                throw new InvalidInputException("--code-pooling applies to --cond dlc only");
            }
            DiT.Config model;
            try {
                model = DiT.Config.preset(preset);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(e.getMessage());
            }
            ImageDataset train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, limit > 0 ? limit : Integer.MAX_VALUE);
            String name = conditioning.name().toLowerCase(Locale.ROOT);
            Path target = out != null ? out : ModelStore.shipped().dit(conditioning);
            Path ckpt = checkpoint != null ? checkpoint : Path.of("out", "dit", "train-" + name + ".safetensors");
            Path encoder = encoderPath != null ? encoderPath : ModelStore.shipped().encoder();
            try (NDManager manager = common.newManager()) {
                DitTraining.Data d;
                switch (conditioning) {
                    case NONE -> d = new DitTraining.Data(train, null, null, "");
                    case CLASS -> {
                        d = new DitTraining.Data(train, null, null, "");
                        model = model.conditionedOn(conditioning, FashionMnist.CLASS_NAMES.size(), 0, 0, 0);
                    }
                    case DLC -> {
                        DlcFile codes;
                        if (codesPath != null) {
                            codes = DlcFile.read(codesPath);
                            if (limit > 0) {
                                codes = codes.take(Math.min(limit, codes.count()));
                            }
                        } else {
                            try (TrainedEncoder enc = TrainedEncoder.load(manager, encoder)) {
                                codes = enc.codes(train, enc.config().tau(), false);
                            }
                        }
                        d = new DitTraining.Data(train, codes, null, codes.encoderSha());
                        model = model.conditionedOn(conditioning, 0, codes.length(), codes.vocab(), 0).withScaledCodes(!"mean".equals(codePooling));
                    }
                    case SEM -> {
                        try (TrainedEncoder enc = TrainedEncoder.load(manager, encoder)) {
                            var e = enc.encode(train, enc.config().tau(), false, true, 256);
                            d = new DitTraining.Data(train, null, e.sem(), enc.sha256());
                            model = model.conditionedOn(conditioning, 0, 0, 0, enc.config().dim());
                        }
                    }
                    default -> throw new IllegalStateException();
                }
                DitTraining.Config c = DitTraining.Config.fmnist(model, common.seed);
                if (epochs != null) {
                    c = c.withEpochs(epochs);
                }
                c = c.withSnapshotEvery(snapshotEvery);
                if (lr != null) {
                    c = c.withLr(lr);
                }
                if (batch != null) {
                    c = c.withBatch(batch);
                }
                System.out.printf(Locale.ROOT, "%s: %.2f GFLOP per image forward, %d images%n", model.describe(), 2e-9 * model.forwardMacs(), train.count());
                var r = DitTraining.train(manager, c, d, ckpt, resume, target, stopAt != null ? stopAt : Long.MAX_VALUE);
                System.out.printf(Locale.ROOT, "%d of %d steps, %.0f s, %.1f images/s (%.1f GFLOP/s in the model), last loss %.4f%n", r.steps(),
                        r.totalSteps(), r.trainSeconds(), r.imagesPerSecond(), r.imagesPerSecond() * 6e-9 * model.forwardMacs(), r.finalLoss());
                System.out.println(r.finished() ? "wrote " + target : "stopped; continue with --resume (checkpoint " + ckpt + ")");
            }
            return 0;
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = "Sample a trained DiT: conditions from a DLC file, from images encoded on the fly, from a class, or none; writes a PNG grid and samples.npz.")
    static final class Sample implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--model", description = "Trained DiT (default: the shipped models/dit/fmnist-dlc.safetensors).")
        Path modelPath;

        @Option(names = "--n", defaultValue = "64", description = "Images to draw (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--codes", description = "Condition on the first N codes of this DLC file (cycled if shorter).")
        Path codesPath;

        @Option(names = "--images", description = "Condition on these images (PNG folder, .npz, or test/train for Fashion-MNIST), encoded with --encoder.")
        Path imagesPath;

        @Mixin
        DataOption data;

        @Option(names = "--encoder", description = "SEM encoder for --images (default: the shipped one).")
        Path encoderPath;

        @Option(names = "--class", description = "Condition on this class id (class-conditional models).")
        Integer classId;

        @Mixin
        GuidedSamplerOptions sampling;

        @Option(names = "--out", defaultValue = "out/dit/samples", description = "Output folder: grid.png and samples.npz (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() {
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
                float[] images = DitSampling.sample(manager, dit.model(), cond, options, new Rng(common.seed));
                double seconds = (System.nanoTime() - start) / 1e9;
                conditioned.write(out, images, c);
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
            Path encoder = encoderPath != null ? encoderPath : ModelStore.shipped().encoderFor(dit.encoderSha());
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
                    int[] labels = new int[n];
                    java.util.Arrays.fill(labels, classId);
                    yield new Conditioned(Condition.labels(labels), labels);
                }
                case DLC -> {
                    if (codesPath == null) {
                        throw new InvalidInputException("this DiT is DLC-conditional: pass --codes FILE or --images DIR");
                    }
                    DlcFile codes = DlcFile.read(codesPath);
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
}
