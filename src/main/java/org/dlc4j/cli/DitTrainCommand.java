package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitRecipe;
import org.dlc4j.dit.DitTraining;
import org.dlc4j.eval.Images;
import org.dlc4j.nn.Trainer;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc dit train}: train a DiT on Fashion-MNIST train; the flags choose the model and the conditioning, {@link org.dlc4j.dit.DitTraining} trains it. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a DiT on Fashion-MNIST train, or on your own pictures with --folder (resumable).")
final class DitTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Mixin
    PicturesOption pictures;

    @Option(names = "--recipe", defaultValue = "fast", description = "fast (28 px, batch 16, min-SNR 5: learns fastest on a CPU, issue 25) or"
            + " paper (the reference's: 32 px padded, batch 128, plain loss); the flags below override its parts (default: ${DEFAULT-VALUE}).")
    String recipe;

    @Option(names = "--preset", description = "Model size: tiny, DiT-T/4, DiT-T/2, DiT-S/4, DiT-S/2 (default: the recipe's, DiT-T/4).")
    String preset;

    @Option(names = "--cond", defaultValue = "dlc", description = "none, class, dlc or sem (default: ${DEFAULT-VALUE}).")
    String cond;

    @Mixin
    EncoderOption encoderFile;

    @Option(names = "--codes", description = "DLC file of the training images (dlc encode --split train); else they are encoded with --encoder.")
    Path codesPath;

    @Option(names = "--epochs", description = "Passes over the training images (default: 6).")
    Integer epochs;

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N images only (default: all).")
    int limit;

    @Option(names = "--batch", description = "Images per step (default: the recipe's, 16 or 128).")
    Integer batch;

    @Option(names = "--lr", description = "AdamW learning rate, constant after any --warmup (default: 5e-4; the reference's is 1e-4).")
    Double lr;

    @Option(names = "--image", description = "Image size the DiT works at: 28 (Fashion-MNIST's own; the patch must divide it) or 32 (padded, the"
            + " reference's) (default: the recipe's, 28 or 32).")
    Integer image;

    @Option(names = "--patch", description = "Patch size, overriding the preset's (e.g. 2 or 4; it must divide --image).")
    Integer patch;

    @Option(names = "--width", description = "Transformer width, overriding the preset's (a multiple of 4 and of --heads).")
    Integer width;

    @Option(names = "--depth", description = "Number of DiT blocks, overriding the preset's.")
    Integer depth;

    @Option(names = "--heads", description = "Attention heads, overriding the preset's.")
    Integer heads;

    @Option(names = "--learn-sigma", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Predict σ too and train on the hybrid loss, as the reference; --no-learn-sigma trains ε alone on the MSE (default: true).")
    boolean learnSigma;

    @Option(names = "--min-snr", description = "Min-SNR-γ loss weighting with this γ (Hang et al. 2023 use 5); 0 is off, the reference's (default: the recipe's, 5 or 0).")
    Double minSnr;

    @Option(names = "--warmup", description = "Linear learning-rate warm-up steps (default: 0, the reference's).")
    Long warmup;

    @Option(names = "--code-pooling", description = "How --cond dlc pools its L token embeddings: scaled (mean × √L: the code is"
            + " read much sooner, README) or mean (the reference's SEMEmbedder) (default: scaled).")
    String codePooling;

    @Mixin
    ModelOutputOption output;

    @Option(names = "--checkpoint", description = "Resumable training state (default: out/dit/train-COND.safetensors).")
    Path checkpoint;

    @Option(names = "--resume", description = "Continue from --checkpoint if it exists.")
    boolean resume;

    @Option(names = "--init", paramLabel = "FILE", description = "Warm-start from this trained DiT of the same configuration when there is no"
            + " checkpoint to resume (e.g. the shipped model after a machine lost out/): weights and EMA from it, optimiser and step count afresh.")
    Path init;

    @Option(names = "--stop-at", description = "Stop at this step with a checkpoint (continue later with --resume).")
    Long stopAt;

    @Option(names = "--snapshot-every", defaultValue = "0",
            description = "Also write the EMA weights every this many steps beside the checkpoint, for FD against images seen (default: never).")
    long snapshotEvery;

    @Override
    public Integer call() {
        Path out = output.path;
        Conditioning conditioning = Conditioning.parse(cond);
        if (snapshotEvery < 0) {
            throw new InvalidInputException("--snapshot-every must be ≥ 0, not " + snapshotEvery);
        }
        if (lr != null && !(lr > 0)) {
            throw new InvalidInputException("--lr must be positive, not " + lr);
        }
        if (batch != null && batch < 1) {
            throw new InvalidInputException("--batch must be at least 1");
        }
        if (warmup != null && warmup < 0 || minSnr != null && !(minSnr >= 0)) {
            throw new InvalidInputException("--warmup must be ≥ 0 steps and --min-snr ≥ 0 (0 is off)");
        }
        if (codePooling != null && !codePooling.equals("mean") && !codePooling.equals("scaled")) {
            throw new InvalidInputException("--code-pooling '" + codePooling + "' is not mean or scaled");
        }
        if (codePooling != null && conditioning != Conditioning.DLC) {
            throw new InvalidInputException("--code-pooling applies to --cond dlc only");
        }
        Trainer.requireWarmStart(init, "init");
        DitRecipe chosen = DitRecipe.parse(recipe);
        if (pictures.given() && image != null) {
            throw InvalidInputException.of("image", "--image is for Fashion-MNIST: --folder pictures are brought to --size");
        }
        DiT.Config model;
        try {
            model = (pictures.given() ? chosen.model(preset, pictures.read.size, pictures.channels) : chosen.model(preset)).withLearnSigma(learnSigma);
            DiT.Config p = model;
            model = p.resized(image != null ? image : p.image(), patch != null ? patch : p.patch(), width != null ? width : p.dim(),
                    depth != null ? depth : p.depth(), heads != null ? heads : p.heads());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage() + " (see --recipe, --preset, --image, --patch, --width, --depth, --heads)");
        }
        if (!pictures.given() && model.image() < 28) {
            throw new InvalidInputException("--image must be at least 28 (Fashion-MNIST's size), not " + model.image());
        }
        ImageDataset train;
        if (pictures.given()) {
            ImageDataset all = pictures.split().train();
            train = limit > 0 ? all.take(Math.min(limit, all.count())) : all;
        } else {
            train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, limit > 0 ? limit : Integer.MAX_VALUE);
        }
        String name = conditioning.name().toLowerCase(Locale.ROOT);
        // Models of one's own pictures never land among the shipped Fashion-MNIST ones: out/dit/FOLDER-COND by default.
        String own = pictures.given() ? pictures.folder.toAbsolutePath().normalize().getFileName() + "-" : "";
        Path target = out != null ? out : pictures.given() ? Path.of("out", "dit", own + name + ".safetensors") : ModelStore.shipped().dit(conditioning);
        Path ckpt = checkpoint != null ? checkpoint : Path.of("out", "dit", "train-" + own + name + ".safetensors");
        Path encoder = encoderFile.resolve();
        try (NDManager manager = common.newManager()) {
            DitTraining.Data d;
            switch (conditioning) {
                case NONE -> d = new DitTraining.Data(train, null, null, "");
                case CLASS -> {
                    if (train.labels() == null) {
                        throw InvalidInputException.of("cond", pictures.folder + " has no classes to condition on: sort the pictures into one sub-folder per"
                                + " class, or choose another --cond");
                    }
                    d = new DitTraining.Data(train, null, null, "");
                    model = model.conditionedOn(conditioning, pictures.given() ? train.classNames().size() : FashionMnist.CLASS_NAMES.size(), 0, 0, 0);
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
            DitTraining.Config c = chosen.training(model, common.seed);
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
            c = c.withWarmup(warmup != null ? warmup : 0);
            if (minSnr != null) {
                c = c.withMinSnr(minSnr);
            }
            System.out.printf(Locale.ROOT, "%s: %.2f GFLOP per image forward, %d images%n", model.describe(), 2e-9 * model.forwardMacs(), train.count());
            var r = DitTraining.train(manager, c, d, ckpt, resume, target, stopAt != null ? stopAt : Long.MAX_VALUE, init);
            System.out.printf(Locale.ROOT, "%d of %d steps, %.0f s, %.1f images/s (%.1f GFLOP/s in the model), last loss %.4f%n", r.steps(),
                    r.totalSteps(), r.trainSeconds(), r.imagesPerSecond(), r.imagesPerSecond() * 6e-9 * model.forwardMacs(), r.finalLoss());
            System.out.println(r.finished() ? "wrote " + target : "stopped; continue with --resume (checkpoint " + ckpt + ")");
        }
        return 0;
    }
}
