package org.dlc4j.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.data.BatchSampler;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.diffusion.gaussian.DiffusionConfig;
import org.dlc4j.diffusion.gaussian.GaussianDiffusion;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.nn.AdamW;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Trainer;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * Trains a DiT on images as the reference's {@code train_diffusion.py}: t uniform over the 1000 steps of the linear
 * schedule, ε-MSE plus the variational bound for the learned variance, AdamW at a constant rate without weight
 * decay, an EMA of the weights (the model that samples), and each image's condition replaced by the null one with
 * the model's drop probability.
 */
public final class DitTraining {
    public static final String KIND = "dit";

    /**
     * @param lr            the reference's 1e-4 is for DiT-XL at batch 256 and ~10⁶ steps; a DiT-T/4 run of a few thousand
     *                      steps learns faster at 5e-4 (held-out ε-MSE 0.067 against 0.081 after 234 steps, same seed)
     * @param emaDecay      the reference's 0.9999 averages over ~10,000 steps, longer than a run here; 0.999 (capped at
     *                      (1 + step) / (10 + step) early on) suits runs of a few thousand steps
     * @param snapshotEvery write the EMA weights every this many steps beside the checkpoint (0: never), for a
     *                      curve of quality against training images seen
     * @param warmup        linear learning-rate warm-up steps (the reference: none)
     * @param minSnrGamma   min-SNR-γ loss weighting (Hang et al. 2023): each image's ε-MSE weighted by min(SNR_t, γ) / SNR_t,
     *                      so that the many low-noise steps, which teach little, weigh less; 0 is off (the reference)
     */
    public record Config(DiT.Config model, int epochs, int batch, double lr, double weightDecay, double emaDecay, long checkpointEvery,
                         long snapshotEvery, long seed, long warmup, double minSnrGamma) {
        public Config {
            if (warmup < 0 || !(minSnrGamma >= 0) || Double.isInfinite(minSnrGamma)) {
                throw new InvalidInputException("warm-up must be ≥ 0 steps and the min-SNR γ a finite number ≥ 0 (0 is off), not " + warmup + " and "
                        + minSnrGamma);
            }
        }

        public Config(DiT.Config model, int epochs, int batch, double lr, double weightDecay, double emaDecay, long checkpointEvery,
                      long snapshotEvery, long seed) {
            this(model, epochs, batch, lr, weightDecay, emaDecay, checkpointEvery, snapshotEvery, seed, 0, 0);
        }

        public static Config fmnist(DiT.Config model, long seed) {
            return new Config(model, 6, 128, 5e-4, 0.0, 0.999, 200, 0, seed);
        }

        public static Config tiny(DiT.Config model, long seed) {
            return new Config(model, 1, 8, 1e-3, 0.0, 0.9, 0, 0, seed);
        }

        public Config withWarmup(long steps) {
            return new Config(model, epochs, batch, lr, weightDecay, emaDecay, checkpointEvery, snapshotEvery, seed, steps, minSnrGamma);
        }

        public Config withMinSnr(double gamma) {
            return new Config(model, epochs, batch, lr, weightDecay, emaDecay, checkpointEvery, snapshotEvery, seed, warmup, gamma);
        }

        public Config withEpochs(int epochs) {
            return new Config(model, epochs, batch, lr, weightDecay, emaDecay, checkpointEvery, snapshotEvery, seed, warmup, minSnrGamma);
        }

        public Config withBatch(int batch) {
            return new Config(model, epochs, batch, lr, weightDecay, emaDecay, checkpointEvery, snapshotEvery, seed, warmup, minSnrGamma);
        }

        public Config withCheckpointEvery(long every) {
            return new Config(model, epochs, batch, lr, weightDecay, emaDecay, every, snapshotEvery, seed, warmup, minSnrGamma);
        }

        public Config withLr(double lr) {
            return new Config(model, epochs, batch, lr, weightDecay, emaDecay, checkpointEvery, snapshotEvery, seed, warmup, minSnrGamma);
        }

        public Config withSnapshotEvery(long every) {
            return new Config(model, epochs, batch, lr, weightDecay, emaDecay, checkpointEvery, every, seed, warmup, minSnrGamma);
        }
    }

    /**
     * Training images and, aligned by index, what conditions them (what the model's conditioning reads; the rest
     * may be null): class labels, a DLC file of the same images, or continuous vectors [N·dim]; and the SHA-256 of the
     * SEM encoder that made the codes or vectors, recorded with the model (empty when none).
     */
    public record Data(ImageDataset images, DlcFile codes, float[] vectors, String encoderSha) {
        public Data {
            encoderSha = encoderSha == null ? "" : encoderSha;
        }

        /** The condition of every training image, in order. */
        Condition conditions(DiT.Config c) {
            return switch (c.conditioning()) {
                case NONE -> Condition.none(images.count());
                case CLASS -> Condition.labels(images.labels());
                case DLC -> Condition.codes(codes.tokens(), codes.length());
                case SEM -> Condition.vectors(vectors, c.vectorDim());
            };
        }

        /** Checks that what the model is conditioned on is present and matches the images and the model. */
        void check(DiT.Config c) {
            if (images.channels() != c.channels() || images.height() > c.image()) {
                throw new InvalidInputException(images.name() + " holds " + images.channels() + "-channel " + images.height() + "-px images but the DiT"
                        + " makes " + c.channels() + "-channel " + c.image() + "-px ones: size the DiT to the data");
            }
            switch (c.conditioning()) {
                case NONE -> { }
                case CLASS -> {
                    if (images.labels() == null) {
                        throw new InvalidInputException(images.name() + " has no labels to condition on: train an unconditional DiT or give labelled images");
                    }
                }
                case DLC -> {
                    if (codes == null) {
                        throw new InvalidInputException("a DLC-conditioned DiT needs the training images' codes: encode the training split first");
                    }
                    if (codes.count() != images.count()) {
                        throw new InvalidInputException("the DLC file holds " + codes.count() + " codes but there are " + images.count()
                                + " training images: encode the same split");
                    }
                    if (codes.length() != c.length() || codes.vocab() != c.vocab()) {
                        throw new InvalidInputException("the codes are " + codes.length() + "×" + codes.vocab() + " but the model reads "
                                + c.length() + "×" + c.vocab() + ": encode with the matching encoder");
                    }
                }
                case SEM -> {
                    if (vectors == null || vectors.length != (long) images.count() * c.vectorDim()) {
                        throw new InvalidInputException("a SEM-conditioned DiT needs one " + c.vectorDim() + "-d SEM vector per training image");
                    }
                }
            }
        }
    }

    /** What a run reports. */
    public record Result(long steps, long totalSteps, double trainSeconds, double imagesPerSecond, double finalLoss) {
        public boolean finished() {
            return steps >= totalSteps;
        }
    }

    private static final Gson GSON = org.dlc4j.io.Json.GSON; // strict JSON: non-finite numbers as null

    private DitTraining() {}

    /**
     * Trains (resuming from {@code checkpoint} when asked) until {@code until} or the end; at the end writes the EMA
     * weights to {@code output}.
     */
    public static Result train(NDManager manager, Config c, Data data, Path checkpoint, boolean resume, Path output, long until) {
        return train(manager, c, data, checkpoint, resume, output, until, null);
    }

    /**
     * As {@link #train(NDManager, Config, Data, Path, boolean, Path, long)}, warm-started from the weights of the trained
     * model {@code init} (null: a fresh initialisation) when there is no checkpoint to resume: the weights and the EMA
     * start from them, the optimiser, the step count and the schedule start afresh. A warm start is for a machine that
     * lost its checkpoint; it is not an exact resume, and the run says so.
     */
    public static Result train(NDManager manager, Config c, Data data, Path checkpoint, boolean resume, Path output, long until, Path init) {
        DiT.Config mc = c.model();
        data.check(mc);
        ImageDataset images = data.images().padTo(mc.image());
        long stepsPerEpoch = images.count() / c.batch();
        long steps = stepsPerEpoch * c.epochs();
        if (steps < 1) {
            throw new InvalidInputException(images.count() + " images make no batch of " + c.batch());
        }
        GaussianDiffusion diffusion = diffusion(mc);
        var tc = new Trainer.Config(steps, c.lr(), c.warmup(), new AdamW.Config(0.9, 0.999, 1e-8, c.weightDecay()), 0.0, c.emaDecay(), c.checkpointEvery())
                .withEmaWarmup();
        Checkpoint.Meta meta = Checkpoint.Meta.current(KIND, GSON.toJson(mc), 0, images.name(), c.seed(), Map.of("training", GSON.toJson(c), TrainedDit.ENCODER_SHA, data.encoderSha()));
        try (Params params = new Params(manager)) {
            DiT model = new DiT(params, mc, new Rng(c.seed())); // before the trainer, which sizes its state on the parameters
            Trainer.warmStart(params, init, KIND, meta.configJson(), checkpoint, resume);
            try (Trainer trainer = new Trainer(params, tc, c.seed() + 1)) {
                if (resume && trainer.resumeIfPresent(checkpoint, KIND, meta.configJson())) {
                    Listener.current().message(String.format(Locale.ROOT, "resumed at step %d from %s", trainer.step(), checkpoint));
                }
                BatchSampler sampler = BatchSampler.resumeAt(images.count(), c.batch(), true, c.seed() + 2, trainer.step());
                int size = mc.image();
                int timesteps = diffusion.numSteps();
                Condition all = data.conditions(mc);
                Trainer.LossFn loss = (mgr, rng, step) -> {
                    int[] idx = sampler.next();
                    int b = idx.length;
                    NDArray x0 = mgr.create(images.batch(idx), new Shape(b, mc.channels(), size, size));
                    int[] t = rng.ints(b, timesteps);
                    NDArray noise = mgr.create(rng.gaussians(b * mc.channels() * size * size), x0.getShape());
                    Condition cond = all.select(idx).dropping(dropMask(b, mc.dropProb(), rng));
                    return loss(model, diffusion, x0, t, noise, cond, c.minSnrGamma());
                };
                trainer.run(loss, checkpoint, meta, "dit", until, c.snapshotEvery(), () -> {
                    if (c.snapshotEvery() > 0 && trainer.step() % c.snapshotEvery() == 0 && checkpoint != null) {
                        saveEma(trainer, c, data, images, snapshotPath(checkpoint, trainer.step()));
                    }
                });
                double seconds = trainer.trainSeconds();
                Result result = new Result(trainer.step(), trainer.endedEarly() ? trainer.step() : steps, seconds, trainer.step() * (double) c.batch() / Math.max(seconds, 1e-9),
                        trainer.lastLoss());
                if (trainer.step() >= steps || trainer.endedEarly()) {
                    saveEma(trainer, c, data, images, output);
                }
                return result;
            }
        }
    }

    /**
     * The objective of one batch, as the reference's train_diffusion.py minimises it: the mean over images of
     * training_losses (MSE on ε plus, with learned σ, the VLB term) at x_t = q_sample(x_0, t, noise).
     */
    public static NDArray loss(DiT model, GaussianDiffusion diffusion, NDArray x0, int[] t, NDArray noise, Condition cond) {
        return loss(model, diffusion, x0, t, noise, cond, 0);
    }

    /**
     * As {@link #loss(DiT, GaussianDiffusion, NDArray, int[], NDArray, Condition)}, with each image's ε-MSE weighted by
     * min-SNR-γ when {@code minSnrGamma} > 0 (the variance's VLB term keeps its weight).
     */
    public static NDArray loss(DiT model, GaussianDiffusion diffusion, NDArray x0, int[] t, NDArray noise, Condition cond, double minSnrGamma) {
        NDArray xt = diffusion.qSample(x0, t, noise);
        var losses = diffusion.trainingLosses(model.forward(xt, t, cond), x0, xt, t, noise);
        if (minSnrGamma <= 0) {
            return losses.loss().mean();
        }
        NDArray w = x0.getManager().create(diffusion.minSnrWeights(t, minSnrGamma));
        return losses.mse().mul(w).add(losses.loss().sub(losses.mse())).mean();
    }

    /** The EMA weights, the model that samples, with what made them. */
    private static void saveEma(Trainer trainer, Config c, Data data, ImageDataset images, Path path) {
        var meta = Checkpoint.Meta.current(KIND, GSON.toJson(c.model()), trainer.step(), images.name(), c.seed(),
                Map.of("training", GSON.toJson(c), TrainedDit.TRAIN_SECONDS, String.format(Locale.ROOT, "%.0f", trainer.trainSeconds()),
                        TrainedDit.IMAGES_SEEN, Long.toString(trainer.step() * c.batch()), "final_loss", Double.toString(trainer.lastLoss()),
                        TrainedDit.ENCODER_SHA, data.encoderSha()));
        new Checkpoint(meta, trainer.emaWeights().toHost("")).save(path);
    }

    /** Where the EMA snapshot of step {@code step} goes: beside the checkpoint, e.g. train-dlc-step000600.safetensors. */
    public static Path snapshotPath(Path checkpoint, long step) {
        String name = checkpoint.getFileName().toString().replaceFirst("\\.safetensors$", "");
        return checkpoint.resolveSibling(String.format(Locale.ROOT, "%s-step%06d.safetensors", name, step));
    }

    /** Which images of a batch lose their condition this step: each independently with probability p. */
    static boolean[] dropMask(int n, double p, Rng rng) {
        boolean[] drop = new boolean[n];
        for (int i = 0; i < n; i++) {
            drop[i] = rng.nextDouble() < p;
        }
        return drop;
    }

    /** DiT's process: linear schedule, T = 1000, hybrid loss when σ is learned, 8-bit decoder. */
    public static GaussianDiffusion diffusion(DiT.Config c) {
        DiffusionConfig d = DiffusionConfig.dit();
        return new GaussianDiffusion(new DiffusionConfig(d.schedule(), d.steps(), c.learnSigma(), d.sigmaSmall(), d.vlbWeight(), d.decoder()));
    }
}
