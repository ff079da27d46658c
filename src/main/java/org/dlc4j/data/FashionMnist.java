package org.dlc4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.dlc4j.util.InvalidInputException;

/**
 * Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017; MIT licence, © Zalando SE): 28×28 grey images of
 * clothing in 10 classes, 60 000 for training and 10 000 for testing, stored as IDX files.
 * Uncompressed copies of the files are accepted too, and so is any directory laid out the same way
 * (the original MNIST, for instance, though its class names would then be wrong).
 */
public final class FashionMnist {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public enum Split {
        TRAIN("train"), TEST("t10k");

        /** "train" or "test". */
        public static Split parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "train" -> TRAIN;
                case "test" -> TEST;
                default -> throw InvalidInputException.of("split", "split '" + s + "' is not train or test");
            };
        }

        private final String filePrefix;

        Split(String filePrefix) {
            this.filePrefix = filePrefix;
        }
    }

    private FashionMnist() {}

    public static ImageDataset load(Path dir, Split split) {
        return load(dir, split, Integer.MAX_VALUE);
    }

    /** The first {@code limit} images of the split (all of them if it has fewer). */
    public static ImageDataset load(Path dir, Split split, int limit) {
        Path imagesFile = locate(dir, split.filePrefix + "-images-idx3-ubyte");
        Path labelsFile = locate(dir, split.filePrefix + "-labels-idx1-ubyte");
        Idx.Images images = Idx.readImages(imagesFile, limit);
        int[] labels = Idx.readLabels(labelsFile, limit);
        if (labels.length != images.count()) {
            throw new InvalidInputException("%s has %d labels but %s has %d images: the files come from different downloads; reinstall the data set"
                    .formatted(labelsFile, labels.length, imagesFile, images.count()));
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= CLASS_NAMES.size()) {
                throw new InvalidInputException("%s has label %d at index %d but Fashion-MNIST labels are 0..%d: the file is damaged; reinstall the data set"
                        .formatted(labelsFile, labels[i], i, CLASS_NAMES.size() - 1));
            }
        }
        return new ImageDataset("fashion-mnist-" + split.name().toLowerCase(Locale.ROOT), images.count(), 1,
                images.height(), images.width(), images.pixels(), labels, null, CLASS_NAMES);
    }

    /** The gzipped file as distributed, else an uncompressed copy. */
    private static Path locate(Path dir, String baseName) {
        Path gzipped = dir.resolve(baseName + ".gz");
        if (Files.isRegularFile(gzipped)) {
            return gzipped;
        }
        Path plain = dir.resolve(baseName);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw InvalidInputException.of("data", "Fashion-MNIST not found at " + gzipped
                + ": install it with `apt-get install -y dataset-fashion-mnist` or give the folder that holds it");
    }
}
