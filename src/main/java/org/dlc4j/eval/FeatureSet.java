package org.dlc4j.eval;

import java.util.stream.IntStream;

/**
 * What the feature network says about a set of images.
 *
 * @param pool    penultimate-layer features, the space of FD, KID, precision/recall and Vendi
 * @param spatial the spatial features of the sFID analogue
 * @param probs   class probabilities, row-major [n, classes]; empty (classes 0) from a self-supervised network
 * @param labels  the label each image is meant to have (its class, or the class a generator was asked for); null if unknown
 */
public record FeatureSet(FeatureMatrix pool, FeatureMatrix spatial, float[] probs, int classes, int[] labels) {

    public int size() {
        return pool.rows();
    }

    public int predicted(int i) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (probs[i * classes + c] > probs[i * classes + best]) {
                best = c;
            }
        }
        return best;
    }

    /** Fraction classified as their label (test accuracy for real images, conditional accuracy for generated ones). */
    public double accuracy() {
        if (labels == null || classes == 0) {
            return Double.NaN;
        }
        return IntStream.range(0, size()).filter(i -> predicted(i) == labels[i]).count() / (double) size();
    }

    /** The rows whose label is {@code c}. */
    public int[] indicesOf(int c) {
        return labels == null ? new int[0] : IntStream.range(0, size()).filter(i -> labels[i] == c).toArray();
    }
}
