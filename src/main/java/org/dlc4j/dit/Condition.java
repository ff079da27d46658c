package org.dlc4j.dit;

import java.util.Arrays;

/**
 * What each image of a batch is conditioned on, for one {@link Conditioning}: a class label, a DLC (L tokens) or a
 * continuous vector per image, and per image whether it gets the null condition instead (classifier-free
 * guidance's unconditional branch, and the 10% condition dropout of training).
 *
 * @param labels  [B] class ids (CLASS), else null
 * @param tokens  [B·L] code tokens, row-major (DLC), else null
 * @param vectors [B·dim] continuous vectors, row-major (SEM), else null
 * @param isNull  [B] true where the null condition replaces the given one
 */
public record Condition(int count, int[] labels, int[] tokens, float[] vectors, boolean[] isNull) {
    public Condition {
        if (isNull.length != count) {
            throw new IllegalArgumentException(isNull.length + " null flags for " + count + " images");
        }
        if (labels != null && labels.length != count) {
            throw new IllegalArgumentException(labels.length + " labels for " + count + " images");
        }
        if (tokens != null && tokens.length % Math.max(count, 1) != 0 || vectors != null && vectors.length % Math.max(count, 1) != 0) {
            throw new IllegalArgumentException("codes or vectors do not split into " + count + " images");
        }
    }

    /** No condition at all (the unconditional model), or every image null. */
    public static Condition none(int count) {
        return new Condition(count, null, null, null, new boolean[count]);
    }

    public static Condition labels(int[] labels) {
        return new Condition(labels.length, labels.clone(), null, null, new boolean[labels.length]);
    }

    public static Condition codes(int[] tokens, int length) {
        return new Condition(tokens.length / length, null, tokens.clone(), null, new boolean[tokens.length / length]);
    }

    public static Condition vectors(float[] vectors, int dim) {
        return new Condition(vectors.length / dim, null, null, vectors.clone(), new boolean[vectors.length / dim]);
    }

    /** The same batch with every image's condition replaced by the null one. */
    public Condition asNull() {
        boolean[] all = new boolean[count];
        Arrays.fill(all, true);
        return new Condition(count, labels, tokens, vectors, all);
    }

    /** The same batch with image i nulled where {@code drop[i]} (in addition to those already null). */
    public Condition dropping(boolean[] drop) {
        boolean[] out = isNull.clone();
        for (int i = 0; i < count; i++) {
            out[i] |= drop[i];
        }
        return new Condition(count, labels, tokens, vectors, out);
    }

    /** This batch followed by its null copy: the doubled batch of guided sampling, one forward pass. */
    public Condition withNullCopy() {
        boolean[] flags = Arrays.copyOf(isNull, 2 * count);
        Arrays.fill(flags, count, 2 * count, true);
        return new Condition(2 * count, twice(labels), twice(tokens), twice(vectors), flags);
    }

    /** Images [from, to) of the batch. */
    public Condition slice(int from, int to) {
        return select(java.util.stream.IntStream.range(from, to).toArray());
    }

    /** The first n images, starting over from the first when the batch is shorter. */
    public Condition cycled(int n) {
        return select(java.util.stream.IntStream.range(0, n).map(i -> i % count).toArray());
    }

    /** The images at {@code idx}, in that order (repeats allowed). */
    public Condition select(int[] idx) {
        int n = idx.length;
        int l = tokens == null ? 0 : tokens.length / Math.max(count, 1);
        int d = vectors == null ? 0 : vectors.length / Math.max(count, 1);
        int[] lab = labels == null ? null : new int[n];
        int[] tok = tokens == null ? null : new int[n * l];
        float[] vec = vectors == null ? null : new float[n * d];
        boolean[] nul = new boolean[n];
        for (int i = 0; i < n; i++) {
            int j = idx[i];
            if (lab != null) {
                lab[i] = labels[j];
            }
            if (tok != null) {
                System.arraycopy(tokens, j * l, tok, i * l, l);
            }
            if (vec != null) {
                System.arraycopy(vectors, j * d, vec, i * d, d);
            }
            nul[i] = isNull[j];
        }
        return new Condition(n, lab, tok, vec, nul);
    }

    private static int[] twice(int[] a) {
        if (a == null) {
            return null;
        }
        int[] out = Arrays.copyOf(a, 2 * a.length);
        System.arraycopy(a, 0, out, a.length, a.length);
        return out;
    }

    private static float[] twice(float[] a) {
        if (a == null) {
            return null;
        }
        float[] out = Arrays.copyOf(a, 2 * a.length);
        System.arraycopy(a, 0, out, a.length, a.length);
        return out;
    }
}
