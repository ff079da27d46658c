package org.dlc4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.data.BalancedSampler;
import org.dlc4j.data.BatchSampler;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.nn.AdamW;
import org.dlc4j.nn.Scalar;
import org.dlc4j.nn.Trainer;
import org.dlc4j.sem.MultiCrop;
import org.dlc4j.sem.VicRegLoss;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * Trains the feature network: cross-entropy on a labelled training set (Fashion-MNIST train for the shipped one) with
 * random ±2-pixel shifts and horizontal flips, AdamW, EMA weights. The shipped file holds the EMA weights only, with the test accuracy in its metadata.
 *
 * <p>Pictures without classes train the self-supervised variant ({@link FeatureNet.Config#selfSupervised}) with VICReg
 * (Bardes et al. 2022) on two crops of each picture ({@link MultiCrop#twoView}: resized crops, flips, brightness,
 * contrast, saturation, random greyscale): the objective the project's SEM encoders already use, chosen over a
 * contrastive one because it needs no negatives and so works at any batch size.
 */
public final class FeatureTraining {
    /**
     * @param epochs      passes over the training set
     * @param batch       images per step
     * @param lr          AdamW learning rate (constant after warm-up)
     * @param weightDecay AdamW decoupled weight decay
     * @param emaDecay    decay of the weight average that is shipped
     * @param checkpointEvery steps between resumable checkpoints
     * @param balanced    draw batches with {@link BalancedSampler} (classes ∝ √size) instead of passes over the data; for
     *                    data whose classes differ in size (Fashion-MNIST's do not: off)
     */
    public record Config(FeatureNet.Config net, int epochs, int batch, double lr, double weightDecay, double emaDecay,
                         long warmupSteps, long checkpointEvery, long seed, boolean balanced) {
        public static Config fmnist(long seed) {
            return new Config(FeatureNet.Config.fmnist(), 12, 128, 1e-3, 1e-4, 0.999, 200, 200, seed, false);
        }

        /**
         * For a user's labelled folder: classes drawn ∝ √size, twice Fashion-MNIST's passes (24: the 3,786 emoji reach
         * 75.5% test accuracy, against 59.7% for the majority class).
         */
        public static Config folder(FeatureNet.Config net, long seed) {
            return new Config(net, 24, 128, 1e-3, 1e-4, 0.999, 200, 200, seed, true);
        }

        /** For a folder without classes: the self-supervised network, VICReg on two crops. */
        public static Config selfSupervised(int channels, int image, long seed) {
            return new Config(FeatureNet.Config.selfSupervised(channels, image), SELF_SUPERVISED_EPOCHS, 128, 1e-3, 1e-4, 0.999, 200, 200, seed, false);
        }

        public Config {
            if (balanced && net.isSelfSupervised()) {
                throw new IllegalArgumentException("a self-supervised feature network has no classes to balance");
            }
        }
    }

    /** Passes of the self-supervised network (two crops each). */
    static final int SELF_SUPERVISED_EPOCHS = 40;

    /** What a finished run reports: test accuracy is NaN for a self-supervised network (it has no classes). */
    public record Result(double testAccuracy, double trainSeconds, long steps, double imagesPerSecond) {
    }

    private static final Gson GSON = org.dlc4j.io.Json.GSON; // strict JSON: non-finite numbers as null
    private static final int SHIFT = 2;
    private static final MultiCrop CROPS = MultiCrop.twoView();

    private FeatureTraining() {}

    /**
     * Trains (or continues from {@code checkpoint}), then writes the EMA weights to {@code output}.
     *
     * @param checkpoint resumable training state, written every {@code checkpointEvery} steps
     */
    public static Result train(NDManager manager, Config config, ImageDataset train, ImageDataset test, Path checkpoint,
                               boolean resume, Path output) {
        ImageDataset data = Images.toFeatureInput(train, config.net());
        long stepsPerEpoch = data.count() / config.batch();
        long steps = stepsPerEpoch * config.epochs();
        Trainer.Config tc = new Trainer.Config(steps, config.lr(), config.warmupSteps(),
                new AdamW.Config(0.9, 0.999, 1e-8, config.weightDecay()), Double.POSITIVE_INFINITY, config.emaDecay(), config.checkpointEvery());
        Checkpoint.Meta meta = Checkpoint.Meta.current(FeatureNet.KIND, GSON.toJson(config.net()), 0, train.name(), config.seed(),
                Map.of("training", GSON.toJson(config)));
        try (FeatureNet net = new FeatureNet(manager, config.net(), new Rng(config.seed()));
             Trainer trainer = new Trainer(net.params(), tc, config.seed() + 1)) {
            if (resume && trainer.resumeIfPresent(checkpoint, FeatureNet.KIND, meta.configJson())) {
                Listener.current().message(String.format(Locale.ROOT, "resumed at step %d from %s", trainer.step(), checkpoint));
            }
            BatchSampler sampler = BatchSampler.resumeAt(data.count(), config.batch(), true, config.seed() + 2, trainer.step());
            BalancedSampler balanced = config.balanced() ? new BalancedSampler(data.labels(), config.batch(), config.seed() + 2) : null;
            int c = config.net().channels();
            int side = config.net().image();
            trainer.run((mgr, rng, step) -> {
                int[] idx = balanced != null ? balanced.batch(step) : sampler.next();
                if (config.net().isSelfSupervised()) {
                    MultiCrop.Views views = CROPS.apply(data.batch(idx), idx.length, c, side, rng);
                    Shape shape = new Shape(idx.length, c, side, side);
                    return VicRegLoss.paper().loss(net.forward(mgr.create(views.global()[0], shape), null).logits(),
                            net.forward(mgr.create(views.global()[1], shape), null).logits());
                }
                NDArray x = mgr.create(augment(data.batch(idx), idx.length, c, side, rng), new Shape(idx.length, c, side, side));
                NDArray logits = net.forward(x, rng).logits();
                return crossEntropy(logits, data.labelsOf(idx));
            }, checkpoint, meta, "feature net");
            net.params().assign(trainer.emaWeights());
            double accuracy = config.net().isSelfSupervised() ? Double.NaN : net.embed(test, 500).accuracy();
            double seconds = trainer.trainSeconds();
            Result result = new Result(accuracy, seconds, trainer.step(), trainer.step() * config.batch() / Math.max(seconds, 1e-9));
            Checkpoint.Meta shipped = Checkpoint.Meta.current(FeatureNet.KIND, GSON.toJson(config.net()), trainer.step(), train.name(),
                    config.seed(), Map.of("training", GSON.toJson(config), "test_accuracy", String.format(Locale.ROOT, "%.4f", accuracy),
                            "train_seconds", String.format(Locale.ROOT, "%.0f", seconds)));
            new Checkpoint(shipped, net.params().toHost("")).save(output);
            return result;
        }
    }

    /** Mean cross-entropy of integer labels: −log softmax at the label. */
    static NDArray crossEntropy(NDArray logits, int[] labels) {
        NDManager m = logits.getManager();
        int classes = Math.toIntExact(logits.getShape().get(1));
        float[] onehot = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            onehot[i * classes + labels[i]] = 1;
        }
        NDArray target = m.create(onehot, logits.getShape());
        return Scalar.over(logits.logSoftmax(1).mul(target).sum(), -labels.length);
    }

    /**
     * Random shift by up to ±2 pixels and a horizontal flip with probability ½, per image (all its channels alike); the
     * pixels shifted in repeat the nearest edge (Fashion-MNIST's black border, an emoji's white background).
     */
    static float[] augment(float[] images, int n, int channels, int s, Rng rng) {
        float[] out = new float[images.length];
        for (int i = 0; i < n; i++) {
            int dy = rng.nextInt(2 * SHIFT + 1) - SHIFT;
            int dx = rng.nextInt(2 * SHIFT + 1) - SHIFT;
            boolean flip = rng.nextInt(2) == 1;
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * s * s;
                for (int y = 0; y < s; y++) {
                    int sy = Math.max(0, Math.min(s - 1, y - dy));
                    for (int x = 0; x < s; x++) {
                        int sx = Math.max(0, Math.min(s - 1, (flip ? s - 1 - x : x) - dx));
                        out[base + y * s + x] = images[base + sy * s + sx];
                    }
                }
            }
        }
        return out;
    }
}
