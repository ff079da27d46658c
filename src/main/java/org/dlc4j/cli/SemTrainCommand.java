package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.sem.DinoHead;
import org.dlc4j.sem.MultiCrop;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.sem.SemTraining;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc sem train}: self-supervised training of the SEM encoder; the flags choose the recipe, {@link SemTraining} runs it. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Self-supervised training of the encoder (DINO, BYOL or VICReg; ViT or ResNet) on Fashion-MNIST train (resumable).")
final class SemTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Option(names = "--preset", defaultValue = "fmnist", description = "fmnist or tiny (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--shape", defaultValue = "32x64", description = "L×V of the code: 32x64 (shipped), 8x256, 128x16 (default: ${DEFAULT-VALUE}).")
    String shape;

    // ResNet + VICReg by default: at equal wall time on 2 cores its codes carry more class information than the
    // paper's ViT + DINO (docs/sem/README.md); the paper's recipe stays one flag pair away.
    @Option(names = "--backbone", defaultValue = "resnet",
            description = "resnet (a small residual CNN at 28 px) or vit (the paper's: a ViT with registers) (default: ${DEFAULT-VALUE}).")
    String backbone;

    @Option(names = "--objective", defaultValue = "vicreg",
            description = "vicreg or byol (two views), or dino (the paper's, with multi-crop) (default: ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--widths", split = ",", description = "ResNet stage widths, e.g. 32,64,128 (default: the preset's).")
    int[] widths;

    @Option(names = "--blocks", description = "ResNet basic blocks per stage (default: 1).")
    Integer blocks;

    @Option(names = "--batch", description = "Images per step (default: 128).")
    Integer batch;

    @Option(names = "--teacher-momentum", description = "First EMA momentum of the teacher (or of VICReg's shipped average), rising to 1 (default: 0.99).")
    Double teacherMomentum;

    @Option(names = "--locals", description = "DINO's local crops per image (default: 4).")
    Integer locals;

    @Option(names = "--code-diversity", description = "Weight of wav2vec 2.0's codebook diversity penalty on the SEM softmaxes (default: 1 for byol and vicreg, 0 for dino).")
    Double codeDiversity;

    @Option(names = "--snapshot-every", defaultValue = "0",
            description = "Also write the encoder as it would ship every N steps, to snapshots/ beside --checkpoint (default: never).")
    long snapshotEvery;

    @Option(names = "--epochs", description = "Passes over the training images, fractions allowed (default: the preset's).")
    Double epochs;

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N images only (default: all).")
    int limit;

    @Mixin
    ModelOutputOption output;

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
        Path out = output.path;
        int[] lv = parseShape(shape);
        SemTraining.Objective obj = switch (objective.toLowerCase(Locale.ROOT)) {
            case "dino" -> SemTraining.Objective.DINO;
            case "byol" -> SemTraining.Objective.BYOL;
            case "vicreg" -> SemTraining.Objective.VICREG;
            default -> throw new InvalidInputException("--objective '" + objective + "' is not dino, byol or vicreg");
        };
        SemEncoder.Config encoder = switch (backbone.toLowerCase(Locale.ROOT)) {
            case "vit" -> {
                if (widths != null || blocks != null) {
                    throw new InvalidInputException("--widths and --blocks shape the ResNet: add --backbone resnet, or drop them");
                }
                SemEncoder.Config e = preset.equals("tiny") ? SemEncoder.Config.tiny() : SemEncoder.Config.fmnist(lv[0], lv[1]);
                yield stem == null ? e : e.withStem(stem);
            }
            case "resnet" -> {
                if (stem != null) {
                    throw new InvalidInputException("--stem shapes the ViT's patch embedding: drop it with --backbone resnet");
                }
                SemEncoder.Config e = preset.equals("tiny") ? SemEncoder.Config.tinyResNet() : SemEncoder.Config.fmnistResNet(lv[0], lv[1]);
                int[] w = widths != null ? widths : e.widths();
                int d = blocks != null ? blocks : e.depth();
                if (w.length == 0 || java.util.Arrays.stream(w).anyMatch(x -> x < 1) || d < 1) {
                    throw new InvalidInputException("--widths takes positive channel counts (e.g. 32,64,128) and --blocks a count ≥ 1");
                }
                yield SemEncoder.Config.resnet(e.image(), e.channels(), w, d, e.length(), e.vocab());
            }
            default -> throw new InvalidInputException("--backbone '" + backbone + "' is not vit or resnet");
        };
        SemTraining.Config c = switch (preset) {
            case "fmnist" -> obj == SemTraining.Objective.DINO ? SemTraining.Config.fmnist(encoder, common.seed)
                    : SemTraining.Config.twoView(encoder, obj, common.seed);
            case "tiny" -> obj == SemTraining.Objective.DINO ? SemTraining.Config.tiny(common.seed).with(b -> {
                b.encoder = encoder;
                b.ibot = encoder.resnet() ? 0 : b.ibot;
            })
                    : SemTraining.Config.tinyTwoView(obj, common.seed).with(b -> b.encoder = encoder);
            default -> throw new InvalidInputException("--preset '" + preset + "' is not fmnist or tiny");
        };
        if (encoder.resnet() && ibot != null && ibot > 0) {
            throw new InvalidInputException("--ibot needs patches: the ResNet backbone has none (use --backbone vit, or --ibot 0)");
        }
        if (locals != null) {
            if (obj != SemTraining.Objective.DINO && locals > 0) {
                throw new InvalidInputException("--locals is for DINO's multi-crop: " + objective + " takes two views");
            }
            if (locals < 0) {
                throw new InvalidInputException("--locals must be ≥ 0, not " + locals);
            }
            c = c.withCrops(c.crops().withLocals(locals));
        }
        if (batch != null) {
            if (batch < 2) {
                throw new InvalidInputException("--batch must be at least 2 (the objectives compare images within a batch), not " + batch);
            }
            c = c.withBatch(batch);
        }
        if (teacherMomentum != null) {
            if (!(teacherMomentum >= 0 && teacherMomentum <= 1)) {
                throw new InvalidInputException("--teacher-momentum must be in [0, 1], not " + teacherMomentum);
            }
            c = c.withTeacherMomentum(teacherMomentum);
        }
        if (codeDiversity != null) {
            if (!(codeDiversity >= 0)) {
                throw new InvalidInputException("--code-diversity must be ≥ 0, not " + codeDiversity);
            }
            double w = codeDiversity;
            c = c.with(b -> b.codeDiversity = w);
        }
        if (snapshotEvery < 0) {
            throw new InvalidInputException("--snapshot-every must be ≥ 0, not " + snapshotEvery);
        }
        if (epochs != null) {
            if (!(epochs > 0)) {
                throw new InvalidInputException("--epochs must be > 0, not " + epochs);
            }
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
                throw new InvalidInputException("--max-blur must be ≥ 0, not " + maxBlur);
            }
            crops = crops.withMaxBlur(maxBlur);
        }
        c = c.withCrops(crops);
        if (prototypes != null) {
            if (prototypes < 2) {
                throw new InvalidInputException("--prototypes must be at least 2, not " + prototypes);
            }
            c = c.withHead(new DinoHead.Config(c.head().hidden(), c.head().bottleneck(), prototypes));
        }
        String name = c.encoder().length() + "x" + c.encoder().vocab();
        Path target = out != null ? out : ModelStore.shipped().encoder(name);
        Path ckpt = checkpoint != null ? checkpoint : Path.of("out", "sem", "train-" + name + ".safetensors");
        ImageDataset train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, limit > 0 ? limit : Integer.MAX_VALUE);
        try (NDManager manager = common.newManager()) {
            System.out.printf(Locale.ROOT, "%s %s: %.3f GFLOP per training image, %d images%n", c.encoder().resnet() ? "resnet" : "vit",
                    c.objective().name().toLowerCase(Locale.ROOT), 1e-9 * c.flopPerImage(), train.count());
            var r = SemTraining.train(manager, c, train, ckpt, resume, target, stopAt != null ? stopAt : Long.MAX_VALUE, snapshotEvery);
            System.out.printf(Locale.ROOT, "%d of %d steps, %.0f s, %.1f images/s (%.1f GFLOP/s in the model), last loss %.4f%n",
                    r.steps(), r.totalSteps(), r.trainSeconds(), r.imagesPerSecond(), r.imagesPerSecond() * 1e-9 * c.flopPerImage(), r.finalLoss());
            System.out.println(r.finished() ? "wrote " + target : "stopped; continue with --resume (checkpoint " + ckpt + ")");
        }
        return 0;
    }


    /** "0.35,1" → {0.35, 1}, a sub-range of (0, 1]. */
    private static double[] range(String s, String flag) {
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
        throw new InvalidInputException(flag + " '" + s + "' is not LOW,HIGH with 0 < LOW ≤ HIGH ≤ 1");
    }


    /** "32x64" → {32, 64}. */
    private static int[] parseShape(String shape) {
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
        throw new InvalidInputException("--shape '" + shape + "' is not LxV with L >= 1 and V >= 2, e.g. 32x64");
    }
}
