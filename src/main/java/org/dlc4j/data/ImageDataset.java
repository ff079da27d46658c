package org.dlc4j.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.dlc4j.util.InvalidInputException;

/**
 * A set of same-size images held in memory as uint8 pixels in NCHW order, with optional integer labels
 * and text captions.
 *
 * <p>The arrays are not copied: loaders hand over arrays they never touch again, and copying the 47 MB of
 * Fashion-MNIST on every access would be wasteful. Treat {@link #pixels()} and {@link #labels()} as read-only;
 * every method that derives a new data set copies what it needs, so the instance itself never changes.
 *
 * @param labels     one non-negative label per image, or {@code null} for an unlabelled set
 * @param captions   one caption per image, or {@code null}
 * @param classNames names of the label values (index = label); empty when unknown
 */
public record ImageDataset(String name, int count, int channels, int height, int width,
                           byte[] pixels, int[] labels, List<String> captions, List<String> classNames) {

    /** uint8 → [-1, 1]; a table keeps {@link #batch} to one load per pixel. */
    private static final float[] SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            SCALE[v] = (float) (v / 127.5 - 1.0);
        }
    }

    public ImageDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pixels, "pixels");
        require(count >= 0, "count must be >= 0: " + count);
        require(channels >= 1 && height >= 1 && width >= 1,
                "channels, height and width must be >= 1: %d×%d×%d".formatted(channels, height, width));
        long expected = (long) count * channels * height * width;
        require(pixels.length == expected, "pixels has %d bytes but %d images of %d×%d×%d need %d"
                .formatted(pixels.length, count, channels, height, width, expected));
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        if (labels != null) {
            require(labels.length == count, "labels has %d entries for %d images".formatted(labels.length, count));
            for (int i = 0; i < count; i++) {
                require(labels[i] >= 0 && (classNames.isEmpty() || labels[i] < classNames.size()),
                        "label %d of image %d is outside 0..%s".formatted(labels[i], i,
                                classNames.isEmpty() ? "∞" : String.valueOf(classNames.size() - 1)));
            }
        }
        if (captions != null) {
            captions = List.copyOf(captions);
            require(captions.size() == count, "captions has %d entries for %d images".formatted(captions.size(), count));
        }
    }

    /**
     * The inverse of {@link #batch}: quantises model output in [-1, 1] (clamped) back to uint8, e.g. to
     * export generated samples with {@link PngFolderDataset#write}.
     */
    public static ImageDataset fromBatch(String name, float[] batch, int channels, int height, int width) {
        int size = channels * height * width;
        require(size > 0 && batch.length % size == 0,
                "batch of %d floats is not a whole number of %d×%d×%d images".formatted(batch.length, channels, height, width));
        byte[] pixels = new byte[batch.length];
        for (int i = 0; i < batch.length; i++) {
            double v = Math.round((batch[i] + 1.0) * 127.5);
            pixels[i] = (byte) Math.max(0, Math.min(255, v)); // NaN → 0 through the cast
        }
        return new ImageDataset(name, batch.length / size, channels, height, width, pixels, null, null, List.of());
    }

    /** The same images with these labels (null: none), e.g. the class each generated image was asked for. */
    public ImageDataset withLabels(int[] newLabels, List<String> names) {
        return new ImageDataset(name, count, channels, height, width, pixels, newLabels, captions, names);
    }

    /** Values per image: channels × height × width. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The number of classes: the class names if known, else one more than the largest label, else 0. */
    public int numClasses() {
        if (!classNames.isEmpty()) {
            return classNames.size();
        }
        return labels == null ? 0 : Arrays.stream(labels).max().orElse(-1) + 1;
    }

    /** The images at {@code indices}, NCHW, scaled to [-1, 1]. */
    public float[] batch(int[] indices) {
        int size = imageSize();
        float[] out = new float[indices.length * size];
        for (int b = 0; b < indices.length; b++) {
            int from = Objects.checkIndex(indices[b], count) * size;
            int to = b * size;
            for (int k = 0; k < size; k++) {
                out[to + k] = SCALE[pixels[from + k] & 0xFF];
            }
        }
        return out;
    }

    /** Image {@code i}, CHW, scaled to [-1, 1]. */
    public float[] image(int i) {
        return batch(new int[] {i});
    }

    public int[] labelsOf(int[] indices) {
        if (labels == null) {
            throw new IllegalStateException(name + " has no labels");
        }
        int[] out = new int[indices.length];
        for (int b = 0; b < indices.length; b++) {
            out[b] = labels[Objects.checkIndex(indices[b], count)];
        }
        return out;
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public ImageDataset slice(int from, int to) {
        Objects.checkFromToIndex(from, to, count);
        int size = imageSize();
        return new ImageDataset(name, to - from, channels, height, width,
                Arrays.copyOfRange(pixels, from * size, to * size),
                labels == null ? null : Arrays.copyOfRange(labels, from, to),
                captions == null ? null : captions.subList(from, to),
                classNames);
    }

    /** The images at {@code indices}, in that order, copied (with their labels and captions). */
    public ImageDataset select(String newName, int[] indices) {
        int size = imageSize();
        byte[] px = new byte[indices.length * size];
        for (int b = 0; b < indices.length; b++) {
            System.arraycopy(pixels, Objects.checkIndex(indices[b], count) * size, px, b * size, size);
        }
        return new ImageDataset(newName, indices.length, channels, height, width, px, labels == null ? null : labelsOf(indices),
                captions == null ? null : Arrays.stream(indices).mapToObj(captions::get).toList(), classNames);
    }

    /** The first {@code n} images, or all of them if there are fewer (so a limit never fails). */
    public ImageDataset take(int n) {
        require(n >= 0, "n must be >= 0: " + n);
        return n >= count ? this : slice(0, n);
    }

    /**
     * Centres every image on a {@code size}×{@code size} canvas of zeros (black, i.e. −1 after scaling,
     * which is Fashion-MNIST's background), e.g. 28 → 32 adds 2 pixels on each side so the image fits a
     * U-Net that halves the resolution several times. An odd margin puts the extra pixel bottom/right.
     */
    public ImageDataset padTo(int size) {
        if (size < height || size < width) {
            throw new InvalidInputException("cannot pad %s (%d×%d images) to %d×%d: the size must be at least %d; choose a larger size"
                    .formatted(name, height, width, size, size, Math.max(height, width)));
        }
        if (size == height && size == width) {
            return this;
        }
        int top = (size - height) / 2;
        int left = (size - width) / 2;
        int planes = count * channels;
        byte[] out = new byte[planes * size * size];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(pixels, (p * height + y) * width, out, (p * size + top + y) * size + left, width);
            }
        }
        return new ImageDataset(name, count, channels, size, size, out, labels, captions, classNames);
    }

    /**
     * The central {@code size}×{@code size} window of every image: the inverse of {@link #padTo}, so a 32×32
     * generator output is read by a network trained on 28×28 Fashion-MNIST.
     */
    public ImageDataset cropTo(int size) {
        if (size > height || size > width) {
            throw new InvalidInputException("cannot crop %s (%d×%d images) to %d×%d: the size must be at most %d"
                    .formatted(name, height, width, size, size, Math.min(height, width)));
        }
        if (size == height && size == width) {
            return this;
        }
        int top = (height - size) / 2;
        int left = (width - size) / 2;
        int planes = count * channels;
        byte[] out = new byte[planes * size * size];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < size; y++) {
                System.arraycopy(pixels, (p * height + top + y) * width + left, out, (p * size + y) * size, size);
            }
        }
        return new ImageDataset(name, count, channels, size, size, out, labels, captions, classNames);
    }

    @Override
    public String toString() {
        return "ImageDataset[%s: %d × %d×%d×%d%s%s]".formatted(name, count, channels, height, width,
                labels == null ? "" : ", " + numClasses() + " classes", captions == null ? "" : ", captions");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
