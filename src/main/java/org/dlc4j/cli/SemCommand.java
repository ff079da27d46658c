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
import org.dlc4j.sem.DinoHead;
import org.dlc4j.sem.DlcEncoder;
import org.dlc4j.sem.MultiCrop;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.sem.SemTraining;
import org.dlc4j.util.Home;
import org.dlc4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc sem}: train the SEM encoder and measure its codes. */
@Command(name = "sem", mixinStandardHelpOptions = true, description = "Train the SEM encoder (self-supervised ViT + Simplicial Embedding) and evaluate its codes.",
        subcommands = {SemCommand.Train.class, SemCommand.Export.class, SemCommand.Eval.class})
public final class SemCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserException("dlc sem needs a subcommand: train, export or eval (see dlc sem --help)");
    }

    /** The shipped encoder for an L×V shape. */
    static Path defaultEncoder(String shape) {
        return Home.models().resolve("sem").resolve("fmnist-sem-" + shape + ".safetensors");
    }

    /** The encoder a command was given, else the shipped 32×64 one. */
    static Path encoderOrDefault(Path given) {
        return given != null ? given : defaultEncoder("32x64");
    }

    /** "0.35,1" → {0.35, 1}, a sub-range of (0, 1]. */
    static double[] range(String s, String flag) {
        String[] parts = s.split(",");
        try {
            double lo = Double.parseDouble(parts[0].trim());
            double hi = Double.parseDouble(parts[parts.length - 1].trim());
            if (parts.length == 2 && lo > 0 && lo <= hi && hi <= 1) {
                return new double[] {lo, hi};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserException(flag + " '" + s + "' is not LOW,HIGH with 0 < LOW ≤ HIGH ≤ 1");
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

        @Option(names = "--ibot", description = "iBOT masked-patch loss weight (default: 0, off; DINOv2 uses 1.0).")
        Double ibot;

        @Option(names = "--global-scale", description = "Area range of the global crops, e.g. 0.35,1 (default: the preset's).")
        String globalScale;

        @Option(names = "--local-scale", description = "Area range of the local crops, e.g. 0.1,0.35 (default: the preset's).")
        String localScale;

        @Option(names = "--max-blur", description = "Largest blur σ in pixels, 0 for none (default: 1.0).")
        Double maxBlur;

        @Option(names = "--prototypes", description = "DINO head prototypes K (default: 2048).")
        Integer prototypes;

        @Option(names = "--stem", description = "Channels of the convolutional patch embedding, 0 for a plain patch projection (default: 24).")
        Integer stem;

        @Option(names = "--stop-at", description = "Stop at this step with a checkpoint (continue later with --resume); the encoder is written only at the end.")
        Long stopAt;

        @Override
        public Integer call() {
            int[] lv = parseShape(shape);
            SemTraining.Config c = switch (preset) {
                case "fmnist" -> SemTraining.Config.fmnist(stem == null ? SemEncoder.Config.fmnist(lv[0], lv[1])
                        : SemEncoder.Config.fmnist(lv[0], lv[1]).withStem(stem), common.seed);
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
            MultiCrop crops = c.crops().withScales(globalScale != null ? range(globalScale, "--global-scale") : c.crops().globalScale(),
                    localScale != null ? range(localScale, "--local-scale") : c.crops().localScale());
            if (maxBlur != null) {
                if (!(maxBlur >= 0)) {
                    throw new UserException("--max-blur must be ≥ 0, not " + maxBlur);
                }
                crops = crops.withMaxBlur(maxBlur);
            }
            c = c.withCrops(crops);
            if (prototypes != null) {
                if (prototypes < 2) {
                    throw new UserException("--prototypes must be at least 2, not " + prototypes);
                }
                c = c.withHead(new DinoHead.Config(c.head().hidden(), c.head().bottleneck(), prototypes));
            }
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

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the teacher encoder of a training checkpoint, to evaluate a run that is still going or was stopped.")
    static final class Export implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "A dlc sem train checkpoint.")
        Path checkpoint;

        @Option(names = "--out", required = true, description = "Encoder file to write (.safetensors).")
        Path out;

        @Override
        public Integer call() {
            if (!java.nio.file.Files.exists(checkpoint)) {
                throw new UserException("checkpoint " + checkpoint + " not found: pass the --checkpoint of a dlc sem train run");
            }
            SemTraining.exportTeacher(checkpoint, out);
            System.out.println("wrote " + out);
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

        @Option(names = "--knn", split = ",", defaultValue = "1,5,20,50",
                description = "Neighbour counts of the k-nearest-code class vote, an estimate of how much class a code carries beyond the linear probe (default: ${DEFAULT-VALUE}).")
        int[] knnCounts;

        @Option(names = "--grid", defaultValue = "out/sem/nearest-codes.png", description = "Nearest-code grid (default: ${DEFAULT-VALUE}).")
        Path grid;

        @Override
        public Integer call() {
            int max = limit > 0 ? limit : Integer.MAX_VALUE;
            if (java.util.Arrays.stream(knnCounts).anyMatch(k -> k < 1)) {
                throw new UserException("--knn takes neighbour counts ≥ 1, for example --knn 1,5,20,50");
            }
            ImageDataset train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, max);
            ImageDataset test = FashionMnist.load(data.dir, FashionMnist.Split.TEST, max);
            if (java.util.Arrays.stream(knnCounts).anyMatch(k -> k > train.count())) {
                throw new UserException("--knn asks for more neighbours than the " + train.count() + " train codes; lower it or raise --limit");
            }
            try (NDManager manager = common.newManager();
                 DlcEncoder enc = DlcEncoder.load(manager, encoderOrDefault(encoderPath))) {
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
                DlcFile trainCodes = new DlcFile(tr.tokens(), c.length(), c.vocab(), train.labels(), null, c.tau(), enc.sha256(), train.name());
                StringBuilder knn = new StringBuilder();
                for (int k : knnCounts) {
                    knn.append(String.format(Locale.ROOT, " | k=%d %.1f%%", k, 100 * CodeStats.knnLabelAccuracy(te.tokens(), test.labels(), trainCodes, k)));
                }
                System.out.printf(Locale.ROOT, "class of the k train codes sharing most tokens (majority vote), on %d test codes:%s%n", test.count(),
                        knn.substring(2));
                writeNearest(grid, test, codes);
                System.out.println("nearest-code grid: " + grid);
            }
            return 0;
        }

        /** For 10 queries (the first test image of each class), the query then the 8 test images sharing most tokens. */
        static void writeNearest(Path grid, ImageDataset test, DlcFile codes) {
            java.util.List<Integer> queries = new java.util.ArrayList<>();
            for (int cls = 0; cls < 10; cls++) {
                for (int i = 0; i < test.count(); i++) {
                    if (test.labels()[i] == cls) {
                        queries.add(i);
                        break;
                    }
                }
            }
            int[] q = queries.stream().mapToInt(Integer::intValue).toArray();
            int[][] neighbours = new int[q.length][];
            for (int r = 0; r < q.length; r++) {
                neighbours[r] = CodeStats.nearest(codes, q[r], 8);
            }
            writeRows(grid, test, q, test, neighbours);
        }
    }

    /** One row per query: the query image, then its neighbours from {@code gallery}. */
    static void writeRows(Path grid, ImageDataset queries, int[] queryIdx, ImageDataset gallery, int[][] neighbours) {
        int cols = 1 + java.util.Arrays.stream(neighbours).mapToInt(n -> n.length).max().orElse(0);
        int size = gallery.imageSize();
        float[] images = new float[queryIdx.length * cols * size];
        java.util.Arrays.fill(images, 1f); // rows with fewer neighbours end in white
        for (int r = 0; r < queryIdx.length; r++) {
            System.arraycopy(queries.image(queryIdx[r]), 0, images, r * cols * size, size);
            System.arraycopy(gallery.batch(neighbours[r]), 0, images, (r * cols + 1) * size, neighbours[r].length * size);
        }
        ImageGrid.write(grid, images, queryIdx.length * cols, gallery.channels(), gallery.height(), gallery.width(), cols, 2, 2);
    }
}
