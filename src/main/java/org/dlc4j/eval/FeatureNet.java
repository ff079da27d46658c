package org.dlc4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.nio.file.Path;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.io.Hashes;
import org.dlc4j.nn.Batches;
import org.dlc4j.nn.Conv2d;
import org.dlc4j.nn.Dropout;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.ModelFile;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Home;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * The project's ruler: a small VGG-style CNN classifier trained on Fashion-MNIST, standing in for the
 * ImageNet Inception network of FID/IS (whose weights are not obtainable offline). Two 3×3 conv pairs with
 * max-pooling, then a fully connected layer whose ReLU output is the feature space ("pool" features, FID's
 * pool3 analogue), then the classifier. The first channels of the last pooled conv map are the spatial
 * features of the sFID analogue (sFID uses the first 7 channels of Inception's mixed_6/conv map); precision
 * and recall are measured there too, because the penultimate layer of a 10-class classifier is blind to
 * realism (see {@link Evaluator}).
 *
 * <p>Input: [B, 1, 28, 28] in [−1, 1] for the shipped network (32×32 images, the generators' padded size, are
 * centre-cropped first); a network trained on other data reads its own channels and size ({@link Config#forData}). Pictures
 * without classes get the same network trained self-supervised ({@link Config#selfSupervised}): its features serve FD,
 * sFD, KID, precision/recall and Vendi alike, but it has no classes, so IS and accuracy are undefined.
 */
public final class FeatureNet implements AutoCloseable {
    public static final String KIND = "feature-net";
    public static final int SIZE = 28;
    /**
     * SHA-256 of the shipped network ({@code models/eval/fmnist-features.safetensors}). Every number the project
     * reports is measured with this file; another file gives other numbers, so it is refused unless asked for.
     */
    public static final String PINNED_SHA256 = "6f68888a640c617b19ef2acbeb50ece0852ae842a479ba09a244d59316b7d9b6";

    /** Where the shipped network lives. */
    /** Images per forward pass when embedding a set: large enough to keep the cores busy, small enough for memory. */
    public static final int EMBED_BATCH = 500;

    public static Path defaultPath() {
        return Home.models().resolve("eval").resolve("fmnist-features.safetensors");
    }

    /**
     * @param width           channels of the first conv pair (the second pair has twice as many)
     * @param features        dimension of the penultimate layer, the feature space
     * @param classes         classifier outputs
     * @param dropout         dropout rate on the features during training
     * @param spatialChannels channels of the 7×7 map kept as spatial features
     * @param projection      0 for a classifier; otherwise the network is self-supervised (for pictures without classes): its
     *                        head is a VICReg expander of this width, {@code classes} is 0, and IS and accuracy are undefined
     */
    public record Config(int width, int features, int classes, double dropout, int spatialChannels, int channels, int image, int projection) {
        public Config {
            if (spatialChannels > 2 * width) {
                throw new IllegalArgumentException("spatialChannels " + spatialChannels + " exceeds the map's " + 2 * width);
            }
            // Files written before channels and size were configurable hold neither: they are Fashion-MNIST's.
            channels = channels == 0 ? 1 : channels;
            image = image == 0 ? SIZE : image;
            if (image % 4 != 0 || image < 8) {
                throw new IllegalArgumentException("the feature network's image side must be a multiple of 4 (two 2×2 poolings), not " + image);
            }
            if (projection < 0 || (projection > 0) == (classes > 0)) {
                throw new IllegalArgumentException("a feature network has classes (a classifier) or a projection (self-supervised), not "
                        + classes + " and " + projection);
            }
        }

        /** The shipped network: 256-d features, 16×7×7 = 784-d spatial features. */
        public static Config fmnist() {
            return new Config(32, 256, 10, 0.3, 16, 1, SIZE, 0);
        }

        /** The shipped network's shape for another labelled data set: {@code classes} classes, {@code channels} at {@code image} px. */
        public static Config forData(int classes, int channels, int image) {
            return new Config(32, 256, classes, 0.3, 16, channels, image, 0);
        }

        /**
         * The same network for pictures without classes, trained self-supervised ({@link FeatureTraining.Config#selfSupervised}):
         * no dropout, a 1024-wide VICReg expander as its head.
         */
        public static Config selfSupervised(int channels, int image) {
            return new Config(32, 256, 0, 0, 16, channels, image, 1024);
        }

        public boolean isSelfSupervised() {
            return projection > 0;
        }

        /** For tests. */
        public static Config tiny() {
            return new Config(8, 32, 10, 0.1, 2, 1, SIZE, 0);
        }

        /** Side of the last pooled map: the image's quarter. */
        public int mapSide() {
            return image / 4;
        }

        public int spatialDim() {
            return spatialChannels * mapSide() * mapSide();
        }
    }

    /** Outputs of one forward pass; {@code logits} is the expander's output in a self-supervised network. */
    public record Output(NDArray logits, NDArray features, NDArray spatial) {
    }

    private final Config config;
    private final Params params;
    private String sha256 = "";
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Conv2d conv3;
    private final Conv2d conv4;
    private final Linear fc;
    private final Linear head;

    public FeatureNet(NDManager manager, Config config, Rng rng) {
        this(new Params(manager), config, rng);
    }

    /** The network on these (fresh) parameters. */
    public FeatureNet(Params params, Config config, Rng rng) {
        this.config = config;
        this.params = params;
        int w = config.width();
        conv1 = new Conv2d(params, "conv1", config.channels(), w, 3, 1, 1, rng);
        conv2 = new Conv2d(params, "conv2", w, w, 3, 1, 1, rng);
        conv3 = new Conv2d(params, "conv3", w, 2 * w, 3, 1, 1, rng);
        conv4 = new Conv2d(params, "conv4", 2 * w, 2 * w, 3, 1, 1, rng);
        fc = new Linear(params, "fc", 2 * w * config.mapSide() * config.mapSide(), config.features(), rng);
        head = new Linear(params, "head", config.features(), config.isSelfSupervised() ? config.projection() : config.classes(), rng);
    }

    /**
     * Loads a trained network, refusing any file but the pinned one unless {@code allowUnpinned}.
     */
    public static FeatureNet load(NDManager manager, Path path, boolean allowUnpinned) {
        String sha = Hashes.sha256(path);
        if (!allowUnpinned && !sha.equals(PINNED_SHA256)) {
            throw InvalidInputException.of("allow-unpinned", path + " has SHA-256 " + sha.substring(0, 12) + "… but the pinned feature network is "
                    + (PINNED_SHA256.isEmpty() ? "(none)" : PINNED_SHA256.substring(0, 12) + "…")
                    + ": its numbers would not compare with the project's; restore models/eval (git checkout) or allow an unpinned network");
        }
        FeatureNet net = ModelFile.load(manager, path, KIND, Config.class, "feature-network", (params, config) -> new FeatureNet(params, config, new Rng(0)))
                .model();
        net.sha256 = sha;
        return net;
    }

    /** SHA-256 of the file this network was loaded from ("" if it was built in memory). */
    public String sha256() {
        return sha256;
    }

    public Config config() {
        return config;
    }

    public Params params() {
        return params;
    }

    /**
     * @param x           [B, C, S, S] in [−1, 1] (C and S of the configuration)
     * @param dropoutRng  source of the dropout mask when training, {@code null} at evaluation
     */
    public Output forward(NDArray x, Rng dropoutRng) {
        NDArray h = pool(relu(conv2.forward(relu(conv1.forward(x)))));
        NDArray map = pool(relu(conv4.forward(relu(conv3.forward(h)))));
        long batch = x.getShape().get(0);
        NDArray features = relu(fc.forward(map.reshape(batch, -1)));
        NDArray spatial = map.get(":, :" + config.spatialChannels()).reshape(batch, -1);
        // The mask comes from the project's RNG, not libtorch's, so a resumed run draws the same masks.
        NDArray dropped = Dropout.apply(features, config.dropout(), dropoutRng);
        return new Output(head.forward(dropped), features, spatial);
    }

    /** Features, spatial features and class probabilities (none for a self-supervised network) of every image, in batches. */
    public FeatureSet embed(ImageDataset images, int batch) {
        ImageDataset in = Images.toFeatureInput(images, config);
        int n = in.count();
        float[] pool = new float[n * config.features()];
        float[] spatial = new float[n * config.spatialDim()];
        float[] probs = new float[n * config.classes()];
        Batches.inOrder(n, batch, (start, idx) -> {
            int m = idx.length;
            NDArray x = params.manager().create(in.batch(idx), new Shape(m, config.channels(), config.image(), config.image()));
            Output out = forward(x, null);
            System.arraycopy(out.features().toFloatArray(), 0, pool, start * config.features(), m * config.features());
            System.arraycopy(out.spatial().toFloatArray(), 0, spatial, start * config.spatialDim(), m * config.spatialDim());
            if (config.classes() > 0) {
                System.arraycopy(out.logits().softmax(1).toFloatArray(), 0, probs, start * config.classes(), m * config.classes());
            }
        });
        return new FeatureSet(new FeatureMatrix(n, config.features(), pool), new FeatureMatrix(n, config.spatialDim(), spatial),
                probs, config.classes(), in.labels());
    }

    private static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    private static NDArray pool(NDArray x) {
        return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    }

    @Override
    public void close() {
        params.close();
    }
}
