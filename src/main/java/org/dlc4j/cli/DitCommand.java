package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.dlc4j.io.ImageGrid;
import org.dlc4j.sem.DlcEncoder;
import org.dlc4j.util.Home;
import org.dlc4j.util.Rng;
import org.dlc4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc dit}: train the image generator and sample it. */
@Command(name = "dit", mixinStandardHelpOptions = true, description = "Train the DiT image generator (unconditional, class, DLC or SEM conditioned) and sample it.",
        subcommands = {DitCommand.Train.class, DitCommand.Sample.class})
public final class DitCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserException("dlc dit needs a subcommand: train or sample (see dlc dit --help)");
    }

    static Path defaultModel(String cond) {
        return Home.models().resolve("dit").resolve("fmnist-" + cond + ".safetensors");
    }

    static Conditioning parseCond(String s) {
        try {
            return Conditioning.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserException("--cond '" + s + "' is not none, class, dlc or sem");
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

        @Option(names = "--epochs", description = "Passes over the training images (default: 10).")
        Integer epochs;

        @Option(names = "--limit", defaultValue = "0", description = "Train on the first N images only (default: all).")
        int limit;

        @Option(names = "--batch", description = "Images per step (default: 128).")
        Integer batch;

        @Option(names = "--out", description = "Where to write the trained model (default: models/dit/fmnist-COND.safetensors).")
        Path out;

        @Option(names = "--checkpoint", description = "Resumable training state (default: out/dit/train-COND.safetensors).")
        Path checkpoint;

        @Option(names = "--resume", description = "Continue from --checkpoint if it exists.")
        boolean resume;

        @Option(names = "--stop-at", description = "Stop at this step with a checkpoint (continue later with --resume).")
        Long stopAt;

        @Override
        public Integer call() {
            Conditioning conditioning = parseCond(cond);
            DiT.Config model;
            try {
                model = DiT.Config.preset(preset);
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
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
                            try (DlcEncoder enc = DlcEncoder.load(manager, encoder)) {
                                codes = enc.codes(train, enc.config().tau(), false);
                            }
                        }
                        d = new DitTraining.Data(train, codes, null, codes.encoderSha());
                        model = model.conditionedOn(conditioning, 0, codes.length(), codes.vocab(), 0);
                    }
                    case SEM -> {
                        try (DlcEncoder enc = DlcEncoder.load(manager, encoder)) {
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
                if (batch != null) {
                    if (batch < 1) {
                        throw new UserException("--batch must be at least 1");
                    }
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

        @Option(names = "--images", description = "Condition on these images (PNG folder or .npz), encoded with --encoder.")
        Path imagesPath;

        @Option(names = "--encoder", description = "SEM encoder for --images (default: the shipped one).")
        Path encoderPath;

        @Option(names = "--class", description = "Condition on this class id (class-conditional models).")
        Integer classId;

        @Option(names = "--sampler", defaultValue = "ddpm", description = "ddpm or ddim (default: ${DEFAULT-VALUE}).")
        String sampler;

        @Option(names = "--steps", defaultValue = "250", description = "Sampling steps (default: ${DEFAULT-VALUE}, the reference's).")
        int steps;

        @Option(names = "--scale", defaultValue = "1.0", description = "Classifier-free guidance scale; 1 is none (default: ${DEFAULT-VALUE}).")
        double scale;

        @Option(names = "--t-max", description = "Guide only at model timesteps ≤ this (default: every step).")
        Integer tMax;

        @Option(names = "--batch", defaultValue = "100", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--out", defaultValue = "out/dit/samples", description = "Output folder: grid.png and samples.npz (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() {
            if (n < 1) {
                throw new UserException("--n must be at least 1");
            }
            if (!(scale >= 0)) {
                throw new UserException("--scale must be ≥ 0 (1 turns guidance off), not " + scale);
            }
            if (batch < 1) {
                throw new UserException("--batch must be at least 1");
            }
            Path model = modelPath != null ? modelPath : defaultModel("dlc");
            if (!Files.exists(model)) {
                throw new UserException("DiT model " + model + " not found: train one with dlc dit train or pass --model");
            }
            SamplerConfig sc = switch (sampler) {
                case "ddpm" -> SamplerConfig.ddpm(steps);
                case "ddim" -> SamplerConfig.ddim(steps, 0.0);
                default -> throw new UserException("--sampler '" + sampler + "' is not ddpm or ddim");
            };
            try (NDManager manager = common.newManager(); TrainedDit dit = TrainedDit.load(manager, model)) {
                DiT.Config c = dit.model().config();
                Condition cond = condition(manager, dit, c);
                var options = new DitSampling.Options(sc, scale, tMax != null ? tMax : Integer.MAX_VALUE, batch);
                long start = System.nanoTime();
                float[] images = DitSampling.sample(manager, dit.model(), cond, options, new Rng(common.seed));
                double seconds = (System.nanoTime() - start) / 1e9;
                int size = c.image();
                ImageDataset samples = ImageDataset.fromBatch("dit-samples", images, c.channels(), size, size);
                ImageNpz.write(out.resolve(Images.SAMPLES_NPZ), samples);
                int shown = Math.min(n, 100);
                ImageGrid.write(out.resolve("grid.png"), java.util.Arrays.copyOf(images, shown * c.channels() * size * size), shown, c.channels(),
                        size, size, 10, 2, 2);
                System.out.printf(Locale.ROOT, "%d images in %.1f s (%.2f images/s), %s %d steps, scale %.2f%nwrote %s and %s%n", n, seconds,
                        n / seconds, sampler, steps, scale, out.resolve("grid.png"), out.resolve(Images.SAMPLES_NPZ));
            }
            return 0;
        }

        private Condition condition(NDManager manager, TrainedDit dit, DiT.Config c) {
            Path encoder = SemCommand.encoderOrDefault(encoderPath);
            int sources = (codesPath != null ? 1 : 0) + (imagesPath != null ? 1 : 0) + (classId != null ? 1 : 0);
            if (sources > 1) {
                throw new UserException("give at most one of --codes, --images and --class");
            }
            return switch (c.conditioning()) {
                case NONE -> {
                    if (sources > 0) {
                        throw new UserException("this DiT is unconditional: drop --codes, --images and --class");
                    }
                    yield Condition.none(n);
                }
                case CLASS -> {
                    if (classId == null) {
                        throw new UserException("this DiT is class-conditional: pass --class 0.." + (c.classes() - 1));
                    }
                    if (classId < 0 || classId >= c.classes()) {
                        throw new UserException("--class " + classId + " is outside 0.." + (c.classes() - 1));
                    }
                    int[] labels = new int[n];
                    java.util.Arrays.fill(labels, classId);
                    yield Condition.labels(labels);
                }
                case DLC -> {
                    DlcFile codes;
                    if (codesPath != null) {
                        codes = DlcFile.read(codesPath);
                        checkEncoder(dit, codes.encoderSha(), "the codes in " + codesPath);
                    } else if (imagesPath != null) {
                        try (DlcEncoder enc = DlcEncoder.load(manager, encoder)) {
                            checkEncoder(dit, enc.sha256(), "encoder " + encoder);
                            codes = enc.codes(Images.load(imagesPath), enc.config().tau(), false);
                        }
                    } else {
                        throw new UserException("this DiT is DLC-conditional: pass --codes FILE or --images DIR");
                    }
                    if (codes.length() != c.length() || codes.vocab() != c.vocab()) {
                        throw new UserException("the codes are " + codes.length() + "×" + codes.vocab() + " but the DiT reads " + c.length() + "×"
                                + c.vocab() + ": use codes from the encoder it was trained with");
                    }
                    yield Condition.codes(codes.tokens(), codes.length()).cycled(n);
                }
                case SEM -> {
                    if (imagesPath == null) {
                        throw new UserException("this DiT is conditioned on SEM vectors: pass --images DIR");
                    }
                    try (DlcEncoder enc = DlcEncoder.load(manager, encoder)) {
                        checkEncoder(dit, enc.sha256(), "encoder " + encoder);
                        ImageDataset set = Images.load(imagesPath);
                        float[] sem = enc.encode(set, enc.config().tau(), false, true, 256).sem();
                        yield Condition.vectors(sem, enc.config().dim()).cycled(n);
                    }
                }
            };
        }

        private static String shortSha(String sha) {
            return sha.substring(0, Math.min(12, sha.length()));
        }

        private static void checkEncoder(TrainedDit dit, String sha, String what) {
            if (!dit.encoderSha().isEmpty() && !sha.isEmpty() && !dit.encoderSha().equals(sha)) {
                throw new UserException(what + " (sha256 " + shortSha(sha) + "…) is not the encoder this DiT was trained with ("
                        + shortSha(dit.encoderSha()) + "…): use that encoder's codes");
            }
        }
    }
}
