package org.dlc4j;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Labelled images to start from and to search by code: the shipped gallery is the first 1,000 Fashion-MNIST test
 * images ({@code assets/fmnist/gallery.npz}), encoded by the encoder of the models that opened it
 * ({@link Dlc#gallery()}).
 *
 * @param images     the pictures, 28×28 grey
 * @param labels     each picture's class
 * @param classNames the class names, indexed by label
 * @param codes      each picture's code
 */
public record Gallery(List<BufferedImage> images, int[] labels, List<String> classNames, List<Code> codes) {
    public Gallery {
        images = List.copyOf(images);
        labels = labels.clone();
        classNames = List.copyOf(classNames);
        codes = List.copyOf(codes);
        if (labels.length != images.size() || codes.size() != images.size()) {
            throw new IllegalArgumentException(images.size() + " images, " + labels.length + " labels and " + codes.size() + " codes");
        }
    }

    /** A gallery image whose code shares {@code shared} positions with the code searched for. */
    public record Neighbour(int index, int shared) {}

    public int size() {
        return images.size();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** The class name of image {@code i}. */
    public String className(int i) {
        return classNames.get(labels[i]);
    }

    /** The {@code k} images whose codes share most positions with {@code code}, most first (ties: lower index first). */
    public List<Neighbour> nearest(Code code, int k) {
        List<Neighbour> all = new ArrayList<>(IntStream.range(0, size()).mapToObj(i -> new Neighbour(i, codes.get(i).shared(code))).toList());
        all.sort(Comparator.comparingInt(Neighbour::shared).reversed().thenComparingInt(Neighbour::index));
        return List.copyOf(all.subList(0, Math.min(Math.max(k, 0), all.size())));
    }
}
