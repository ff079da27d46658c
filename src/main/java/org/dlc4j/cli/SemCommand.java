package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.FeatureMatrix;
import org.dlc4j.eval.LinearProbe;
import org.dlc4j.io.ImageGrid;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.sem.DlcEncoder;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.sem.SemTraining;
import org.dlc4j.util.Home;
import org.dlc4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc sem}: train the SEM encoder and measure its codes. */
@Command(name = "sem", mixinStandardHelpOptions = true, description = "Train the SEM encoder (self-supervised ViT + Simplicial Embedding) and evaluate its codes.",
        subcommands = {SemCommand.Train.class, SemCommand.Eval.class})
public final class SemCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserException("dlc sem needs a subcommand: train or eval (see dlc sem --help)");
    }

    /** The shipped encoder for an L×V shape. */
    static Path defaultEncoder(String shape) {
        return Home.models().resolve("sem").resolve("fmnist-sem-" + shape + ".safetensors");
    }

    /** "32x64" → {32, 64}. */
    static int[] parseShape(String shape) {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("[x×]");
        try {
            if (parts.length == 2) {
                int l = Integer.parseInt(parts[0].strip());
                int v = Integer.parseInt(parts[1].strip());
                if (l >= 1 && v >= 2) {
                    return new int[] {l, v};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserException("--shape '" + shape + "' is not LxV with L >= 1 and V >= 2, e.g. 32x64");
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Self-supervised DINO training of the encoder on Fashion-MNIST train (resumable).")
    static final class Train implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Mixin
        DataOption data;

        @Option(names = "--preset", defaultValue = "fmnist", description = "fmnist or tiny (default: ${DEFAULT-VALUE}).")
        String preset;

        @Option(names = "--shape", defaultValue = "32x64", description = "L×V of the code: 32x64 (shipped), 8x256, 128x16 (default: ${DEFAULT-VALUE}).")
        String shape;

        @Option(names = "--epochs", description = "Passes over the training images (default: the preset's).")
        Integer epochs;

        @Option(names = "--limit", defaultValue = "0", description = "Train on the first N images only (default: all).")
        int limit;

        @Option(names = "--out", description = "Where to write the trained encoder (default: models/sem/fmnist-sem-LxV.safetensors).")
        Path out;

        @Option(names = "--checkpoint", description = "Resumable training state (default: out/sem/train-LxV.safetensors).")
        Path checkpoint;

        @Option(names = "--resume", description = "Continue from --checkpoint if it exists.")
        boolean resume;

        @Option(names = "--lr", description = "Peak AdamW learning rate (default: 5e-4).")
        Double lr;

        @Option(names = "--koleo", description = "KoLeo weight (default: 0.1, DINOv2's; 0 turns it off).")
        Double koleo;

        @Option(names = "--ibot", description = "iBOT masked-patch loss weight (default: 1.0, DINOv2's; 0 turns it off).")
        Double ibot;

        @Option(names = "--stop-at", description = "Stop at this step with a checkpoint (continue later with --resume); the encoder is written only at the end.")
        Long stopAt;

        @Override
        public Integer call() {
            int[] lv = parseShape(shape);
            SemTraining.Config c = switch (preset) {
                case "fmnist" -> SemTraining.Config.fmnist(SemEncoder.Config.fmnist(lv[0], lv[1]), common.seed);
                case "tiny" -> SemTraining.Config.tiny(common.seed);
                default -> throw new UserException("--preset '" + preset + "' is not fmnist or tiny");
            };
            if (epochs != null) {
                c = c.withEpochs(epochs);
            }
            if (lr != null) {
                c = c.withLr(lr);
            }
            c = c.withLosses(koleo != null ? koleo : c.koleo(), ibot != null ? ibot : c.ibot());
            String name = c.encoder().length() + "x" + c.encoder().vocab();
            Path target = out != null ? out : defaultEncoder(name);
            Path ckpt = checkpoint != null ? checkpoint : Path.of("out", "sem", "train-" + name + ".safetensors");
            ImageDataset train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, limit > 0 ? limit : Integer.MAX_VALUE);
            try (NDManager manager = common.newManager()) {
                var r = SemTraining.train(manager, c, train, ckpt, resume, target, stopAt != null ? stopAt : Long.MAX_VALUE);
                System.out.printf(Locale.ROOT, "%d of %d steps, %.0f s, %.1f images/s, last loss %.4f%n",
                        r.steps(), r.totalSteps(), r.trainSeconds(), r.imagesPerSecond(), r.finalLoss());
                System.out.println(r.finished() ? "wrote " + target : "stopped; continue with --resume (checkpoint " + ckpt + ")");
            }
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Linear probes on the codes (one-hot) and on the continuous SEM and [CLS] features, code usage, nearest-code grid.")
    static final class Eval implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Mixin
        DataOption data;

        @Option(names = "--encoder", description = "Encoder (default: the shipped models/sem/fmnist-sem-32x64.safetensors).")
        Path encoderPath;

        @Option(names = "--limit", defaultValue = "0", description = "Use the first N train and test images only (default: all).")
        int limit;

        @Option(names = "--grid", defaultValue = "out/sem/nearest-codes.png", description = "Nearest-code grid (default: ${DEFAULT-VALUE}).")
        Path grid;

        @Override
        public Integer call() {
            int max = limit > 0 ? limit : Integer.MAX_VALUE;
            ImageDataset train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, max);
            ImageDataset test = FashionMnist.load(data.dir, FashionMnist.Split.TEST, max);
            try (NDManager manager = common.newManager();
                 DlcEncoder enc = DlcEncoder.load(manager, encoderPath != null ? encoderPath : defaultEncoder("32x64"))) {
                var c = enc.config();
                var tr = enc.encode(train, c.tau(), false, true, 256);
                var te = enc.encode(test, c.tau(), false, true, 256);
                var probe = LinearProbe.Config.defaults(common.seed);
                var dlc = LinearProbe.fit(new LinearProbe.Tokens(tr.tokens(), c.length(), c.vocab()), train.labels(),
                        new LinearProbe.Tokens(te.tokens(), c.length(), c.vocab()), test.labels(), 10, probe, manager);
                var semX = LinearProbe.Vectors.standardised(new FeatureMatrix(train.count(), c.dim(), tr.sem()));
                var sem = LinearProbe.fit(semX, train.labels(), semX.like(new FeatureMatrix(test.count(), c.dim(), te.sem())), test.labels(), 10, probe, manager);
                var clsX = LinearProbe.Vectors.standardised(new FeatureMatrix(train.count(), c.dim(), tr.cls()));
                var cls = LinearProbe.fit(clsX, train.labels(), clsX.like(new FeatureMatrix(test.count(), c.dim(), te.cls())), test.labels(), 10, probe, manager);
                DlcFile codes = new DlcFile(te.tokens(), c.length(), c.vocab(), test.labels(), null, c.tau(), enc.sha256(), test.name());
                CodeStats stats = CodeStats.of(codes);
                System.out.printf(Locale.ROOT, "encoder %s (%d×%d)%n", enc.sha256().substring(0, 12), c.length(), c.vocab());
                System.out.printf(Locale.ROOT, "linear probe, test accuracy: DLC one-hot %.4f | continuous SEM %.4f | backbone [CLS] %.4f%n",
                        dlc.testAccuracy(), sem.testAccuracy(), cls.testAccuracy());
                System.out.printf(Locale.ROOT, "code usage on test: %.1f%% of V per position on average (min %.1f%%), perplexity %.1f, %d distinct codes of %d%n",
                        100 * stats.meanUsage(), 100 * java.util.Arrays.stream(stats.usage()).min().orElse(0), stats.meanPerplexity(),
                        stats.distinctCodes(), stats.count());
                writeNearest(grid, test, codes);
                System.out.println("nearest-code grid: " + grid);
            }
            return 0;
        }

        /** For 10 queries (the first test image of each class), the query then the 8 test images sharing most tokens. */
        static void writeNearest(Path grid, ImageDataset test, DlcFile codes) {
            int rows = 10;
            int cols = 9;
            int size = test.imageSize();
            float[] images = new float[rows * cols * size];
            int row = 0;
            for (int cls = 0; cls < 10 && row < rows; cls++) {
                int query = -1;
                for (int i = 0; i < test.count() && query < 0; i++) {
                    if (test.labels()[i] == cls) {
                        query = i;
                    }
                }
                if (query < 0) {
                    continue;
                }
                int[] idx = new int[cols];
                idx[0] = query;
                System.arraycopy(CodeStats.nearest(codes, query, cols - 1), 0, idx, 1, cols - 1);
                System.arraycopy(test.batch(idx), 0, images, row * cols * size, cols * size);
                row++;
            }
            ImageGrid.write(grid, java.util.Arrays.copyOf(images, row * cols * size), row * cols, test.channels(), test.height(), test.width(), cols, 2, 2);
        }
    }
}
