package org.dlc4j.eval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;

/**
 * What generated images are scored against: the reference statistics (FD, sFD) and the reference features (KID,
 * precision/recall; null with a {@code note} when the reference images are not at hand).
 */
public record Reference(ReferenceStats stats, FeatureSet features, String note) {
    /**
     * {@code ref} is "test" or "train" (Fashion-MNIST: the stored statistics of the pinned network and the first
     * {@code refN} images' features) or a folder / .npz of images.
     */
    public static Reference open(String ref, Path data, int refN, FeatureNet net, NDManager manager) {
        if (ref.equals("test") || ref.equals("train")) {
            var split = FashionMnist.Split.parse(ref);
            Path path = ReferenceStats.defaultPath(ref);
            if (!Files.exists(path) && net.sha256().equals(FeatureNet.PINNED_SHA256)) {
                return madeOnce(path, "fashion-mnist-" + ref, FashionMnist.load(data, split), refN, net, manager);
            }
            var stored = ReferenceStats.loadIfMadeBy(path, net.sha256());
            if (stored.isEmpty()) {
                // Another (unpinned) network: the shipped statistics are not its own, so they are made here.
                Listener.current().message("the stored " + ref + " statistics belong to the pinned network; computing them for this one");
                return fromImages("fashion-mnist-" + ref, FashionMnist.load(data, split), refN, net, manager);
            }
            try {
                return new Reference(stored.get(), net.embed(FashionMnist.load(data, split, refN), FeatureNet.EMBED_BATCH), "");
            } catch (InvalidInputException e) {
                return new Reference(stored.get(), null, e.getMessage());
            }
        }
        return fromImages(ref, Images.load(Path.of(ref)), refN, net, manager);
    }

    /**
     * Generated images scored against this reference: brought to the feature network's input, embedded, and measured
     * (FD, KID, accuracy when labelled, …) with the evaluator's defaults for {@code seed}.
     */
    public Evaluator.Report score(String name, ImageDataset samples, FeatureNet net, long seed, NDManager manager) {
        return Evaluator.evaluate(name, net.embed(samples, FeatureNet.EMBED_BATCH), stats, features,
                Evaluator.Options.defaults(seed), manager);
    }

    /**
     * The pinned network's statistics of {@code images}, computed and saved to {@code path}: only the test split's ship
     * (models/ keeps to its size budget), so the train split's are made on first use, once; {@code dlc eval reference
     * --recompute} rebuilds either.
     */
    public static Reference madeOnce(Path path, String name, ImageDataset images, int refN, FeatureNet net, NDManager manager) {
        Listener.current().message(String.format(Locale.ROOT, "%s: computing the pinned network's statistics of the %,d %s images",
                path, images.count(), name));
        Reference made = fromImages(name, images, refN, net, manager);
        made.stats().save(path);
        return made;
    }

    /** The statistics and features of {@code images} (the first {@code refN} for the features) under {@code net}. */
    public static Reference fromImages(String name, ImageDataset images, int refN, FeatureNet net, NDManager manager) {
        FeatureSet all = net.embed(images, FeatureNet.EMBED_BATCH);
        ReferenceStats stats = ReferenceStats.compute(name, all, net.sha256(), manager);
        return new Reference(stats, refN >= images.count() ? all : net.embed(images.take(refN), FeatureNet.EMBED_BATCH), "");
    }
}
