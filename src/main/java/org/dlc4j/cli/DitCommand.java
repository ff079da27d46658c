package org.dlc4j.cli;

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

    static Path defaultModel(String cond) {
        return Home.models().resolve("dit").resolve("fmnist-" + cond + ".safetensors");
    }

    /** The SHA-256 of the encoder whose codes the DiT at {@code path} was trained on; "" when there is no such file or hash. */
    static String encoderShaOf(Path path) {
        return Files.exists(path) ? org.dlc4j.io.Checkpoint.load(path).meta().extra().getOrDefault(TrainedDit.ENCODER_SHA, "") : "";
    }

    /**
     * A trained model of this conditioning: the shipped one in models/, else the one dlc dit train --out out/dit/… left
     * (models/ holds only what the demo needs; the class and SEM baselines live in out/).
     */
    static Path trainedModel(String cond) {
        Path shipped = defaultModel(cond);
        Path local = Path.of("out", "dit", "fmnist-" + cond + ".safetensors");
        return Files.exists(shipped) || !Files.exists(local) ? shipped : local;
    }

    /** The DiT at {@code path}, refused unless it exists and is conditioned on {@code kind}; {@code flag} passes another. */
    static TrainedDit loadConditioned(NDManager manager, Path path, Conditioning kind, String flag) {
        String cond = kind.name().toLowerCase(Locale.ROOT);
        if (!Files.exists(path)) {
            throw new InvalidInputException("DiT model " + path + " not found: train one with dlc dit train --cond " + cond + " or pass " + flag);
        }
        TrainedDit dit = TrainedDit.load(manager, path);
        if (dit.model().config().conditioning() != kind) {
            dit.close();
            throw new InvalidInputException(path + " is conditioned on " + dit.model().config().conditioning().name().toLowerCase(Locale.ROOT) + ", not "
                    + cond + ": pass a DiT trained with --cond " + cond);
        }
        return dit;
    }

    /** The sampler flags, shared by dit sample and dit curve. */
    static class SamplerOptions {
        @Option(names = "--sampler", defaultValue = "ddim", description = "ddpm or ddim (default: ${DEFAULT-VALUE}).")
        String sampler;

        @Option(names = "--steps", defaultValue = "50", description = "Sampling steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--no-clip", description = "Do not clip the predicted x₀ to [−1, 1] at each step (the DiT reference's latent-space"
                + " setting; in pixel space an under-trained model then saturates).")
        boolean noClip;

        SamplerConfig config() {
            if (steps < 1) {
                throw new InvalidInputException("--steps must be at least 1");
            }
            SamplerConfig c = switch (sampler) {
                case "ddpm" -> SamplerConfig.ddpm(steps);
                case "ddim" -> SamplerConfig.ddim(steps, 0.0);
                default -> throw new InvalidInputException("--sampler '" + sampler + "' is not ddpm or ddim");
            };
            return c.withClipDenoised(!noClip);
        }

        String describe() {
            return sampler + " " + steps + (noClip ? " unclipped" : "");
        }
    }

    /** The sampler flags plus guidance and batching: how dit sample, generate and compose run the DiT. */
    static final class GuidedOptions extends SamplerOptions {
        @Option(names = "--scale", defaultValue = "1.0", description = "Classifier-free guidance scale; 1 is none (default: ${DEFAULT-VALUE}).")
        double scale;

        @Option(names = "--t-max", description = "Guide only at model timesteps ≤ this (default: every step).")
        Integer tMax;

        @Option(names = "--batch", defaultValue = "100", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
        int batch;

        DitSampling.Options options() {
            if (!(scale >= 0)) {
                throw new InvalidInputException("--scale must be ≥ 0 (1 turns guidance off), not " + scale);
            }
            if (batch < 1) {
                throw new InvalidInputException("--batch must be at least 1");
            }
            return new DitSampling.Options(config(), scale, tMax != null ? tMax : Integer.MAX_VALUE, batch);
        }

        @Override
        String describe() {
            return super.describe() + String.format(Locale.ROOT, " steps, scale %.2f", scale);
        }
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
            Path target = out != null ? out : defaultModel(name);
            Path ckpt = checkpoint != null ? checkpoint : Path.of("out", "dit", "train-" + name + ".safetensors");
            Path encoder = SemCommand.encoderOrDefault(encoderPath);
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
        GuidedOptions sampling;

        @Option(names = "--out", defaultValue = "out/dit/samples", description = "Output folder: grid.png and samples.npz (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() {
            if (n < 1) {
                throw new InvalidInputException("--n must be at least 1");
            }
            var options = sampling.options();
            Path model = modelPath != null ? modelPath : defaultModel("dlc");
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
                writeSamples(out, conditioned, images, c);
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
            Path encoder = SemCommand.encoderFor(encoderPath, dit.encoderSha());
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
                    Conditioned.checkEncoder(dit, codes.encoderSha(), "the codes in " + codesPath);
                    yield Conditioned.ofCodes(dit, codes, n);
                }
                case SEM -> throw new InvalidInputException("this DiT is conditioned on SEM vectors: pass --images DIR (or test)");
            };
        }

        /** The first --n conditioning images: a Fashion-MNIST split by name, else a folder or .npz. */
        private ImageDataset loadImages() {
            String name = imagesPath.toString();
            if ((name.equals("test") || name.equals("train")) && !Files.exists(imagesPath)) {
                return FashionMnist.load(data.dir, DataCommand.parseSplit(name), n);
            }
            return Images.load(imagesPath);
        }
    }

    /** Generated images [N, C, S, S] to {@code out}: samples.npz (labelled with the class asked for, if any) and grid.png of the first 100. */
    static void writeSamples(Path out, Conditioned conditioned, float[] images, DiT.Config c) {
        int size = c.image();
        ImageNpz.write(out.resolve(Images.SAMPLES_NPZ), conditioned.samples("dit-samples", images, c));
        int shown = Math.min(images.length / (c.channels() * size * size), 100);
        ImageGrid.write(out.resolve("grid.png"), java.util.Arrays.copyOf(images, shown * c.channels() * size * size), shown, c.channels(),
                size, size, 10, 2, 2);
    }

    /** What samples are conditioned on, and the class each one should show (null when unknown). */
    record Conditioned(Condition condition, int[] labels) {
        static Conditioned of(Condition condition, int[] labels, int n) {
            return new Conditioned(condition.cycled(n), labels == null ? null : cycle(labels, n));
        }

        /**
         * Generated images [N, C, S, S] as a data set labelled with the class each was asked for, so that dlc eval
         * reports conditional accuracy (unlabelled when the condition carries no class).
         */
        ImageDataset samples(String name, float[] images, DiT.Config c) {
            return ImageDataset.fromBatch(name, images, c.channels(), c.image(), c.image())
                    .withLabels(labels, labels == null ? List.of() : FashionMnist.CLASS_NAMES);
        }

        /** The first n codes of a DLC file (cycled if shorter), checked against the DiT's L×V. */
        static Conditioned ofCodes(TrainedDit dit, DlcFile codes, int n) {
            checkCodeShape(dit, "the codes", codes.length(), codes.vocab());
            return of(Condition.codes(codes.tokens(), codes.length()), codes.labels(), n);
        }

        /** Refuses codes ({@code what}) whose L×V is not the DiT's. */
        static void checkCodeShape(TrainedDit dit, String what, int length, int vocab) {
            DiT.Config c = dit.model().config();
            if (length != c.length() || vocab != c.vocab()) {
                throw new InvalidInputException(what + " are " + length + "×" + vocab + " codes but the DiT reads " + c.length() + "×" + c.vocab()
                        + ": use codes from the encoder it was trained with");
            }
        }

        /**
         * Conditions each sample on one of these images (cycled): its class for a class-conditional DiT, its code or SEM
         * vector (encoded with {@code encoder}, which must be the DiT's own) otherwise.
         */
        static Conditioned fromImages(NDManager manager, TrainedDit dit, ImageDataset set, Path encoder, int n) {
            DiT.Config c = dit.model().config();
            return switch (c.conditioning()) {
                case NONE -> new Conditioned(Condition.none(n), null);
                case CLASS -> {
                    if (set.labels() == null) {
                        throw new InvalidInputException(set.name() + " has no labels to condition a class-conditional DiT on: pass --class");
                    }
                    yield of(Condition.labels(set.labels()), set.labels(), n);
                }
                case DLC, SEM -> {
                    try (TrainedEncoder enc = TrainedEncoder.load(manager, encoder)) {
                        checkEncoder(dit, enc.sha256(), "encoder " + encoder);
                        if (c.conditioning() == Conditioning.DLC) {
                            yield ofCodes(dit, enc.codes(set, enc.config().tau(), false), n);
                        }
                        float[] sem = enc.encode(set, enc.config().tau(), false, true, 256).sem();
                        yield of(Condition.vectors(sem, enc.config().dim()), set.labels(), n);
                    }
                }
            };
        }

        static void checkEncoder(TrainedDit dit, String sha, String what) {
            if (!dit.encoderSha().isEmpty() && !sha.isEmpty() && !dit.encoderSha().equals(sha)) {
                throw new InvalidInputException(what + " (sha256 " + shortSha(sha) + "…) is not the encoder this DiT was trained with ("
                        + shortSha(dit.encoderSha()) + "…): use that encoder's codes");
            }
        }

        private static String shortSha(String sha) {
            return sha.substring(0, Math.min(12, sha.length()));
        }

        private static int[] cycle(int[] labels, int n) {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = labels[i % labels.length];
            }
            return out;
        }
    }
}
