package org.dlc4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Objects;
import org.dlc4j.util.InvalidInputException;

/**
 * Feature vectors of one image set, one vector per row ({@code rows × dim}, row-major), as produced by the
 * evaluation feature network. Every metric in this package takes its inputs in this form.
 *
 * <p>{@code data} is not copied (feature sets can be hundreds of megabytes): treat it as read-only once
 * handed over. A shape that does not match the data is a programming error, so the constructor throws
 * {@link IllegalArgumentException}; problems a user can cause (an empty set, two sets of different
 * dimension, NaN features) are reported by the metrics as {@link InvalidInputException}.
 */
public record FeatureMatrix(int rows, int dim, float[] data) {

    public FeatureMatrix {
        Objects.requireNonNull(data, "data");
        if (rows < 0 || dim < 1) {
            throw new IllegalArgumentException("a feature matrix needs rows >= 0 and dim >= 1, got " + rows + "×" + dim);
        }
        if ((long) rows * dim != data.length) {
            throw new IllegalArgumentException("a " + rows + "×" + dim + " feature matrix needs " + (long) rows * dim
                    + " values, got " + data.length);
        }
    }

    /** Copies {@code rows} (all of the same length) into a matrix; handy for small sets and tests. */
    public static FeatureMatrix of(float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("cannot infer the dimension of an empty array of rows");
        }
        int dim = rows[0].length;
        float[] data = new float[Math.multiplyExact(rows.length, dim)];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != dim) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + dim);
            }
            System.arraycopy(rows[i], 0, data, i * dim, dim);
        }
        return new FeatureMatrix(rows.length, dim, data);
    }

    /** A copy of row {@code i}. */
    public float[] row(int i) {
        Objects.checkIndex(i, rows);
        return Arrays.copyOfRange(data, i * dim, (i + 1) * dim);
    }

    /** The rows at {@code idx}, in that order (repeats allowed), as a new matrix. */
    public FeatureMatrix select(int[] idx) {
        float[] out = new float[Math.multiplyExact(idx.length, dim)];
        for (int k = 0; k < idx.length; k++) {
            int i = Objects.checkIndex(idx[k], rows);
            System.arraycopy(data, i * dim, out, k * dim, dim);
        }
        return new FeatureMatrix(idx.length, dim, out);
    }

    /** The rows of {@code [from, to)} as a new matrix. */
    public FeatureMatrix slice(int from, int to) {
        Objects.checkFromToIndex(from, to, rows);
        return new FeatureMatrix(to - from, dim, Arrays.copyOfRange(data, from * dim, to * dim));
    }

    /** Stacks the rows of {@code parts}, which must share one dimension (e.g. features computed batch by batch). */
    public static FeatureMatrix concat(FeatureMatrix... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat needs at least one part to know the dimension");
        }
        int dim = parts[0].dim;
        long total = 0;
        for (FeatureMatrix p : parts) {
            if (p.dim != dim) {
                throw new InvalidInputException("cannot stack feature batches of dimension " + dim + " and " + p.dim
                        + ": compute every batch with the same feature network");
            }
            total += p.rows;
        }
        float[] out = new float[Math.toIntExact(total * dim)];
        int at = 0;
        for (FeatureMatrix p : parts) {
            System.arraycopy(p.data, 0, out, at, p.data.length);
            at += p.data.length;
        }
        return new FeatureMatrix((int) total, dim, out);
    }

    /** A float32 {@code (rows, dim)} array owned by {@code manager} (the caller frees it with the manager). */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(data, new Shape(rows, dim));
    }

    /** Float32 rows {@code [from, to)} as an array owned by {@code manager}. */
    NDArray toNDArray(NDManager manager, int from, int to) {
        Objects.checkFromToIndex(from, to, rows);
        return manager.create(Arrays.copyOfRange(data, from * dim, to * dim), new Shape(to - from, dim));
    }

    /**
     * Rejects sets a metric cannot be computed on: fewer than {@code minRows} vectors, or any NaN/infinite
     * value (which would silently turn every metric into NaN).
     */
    void requireUsable(String metric, String role, int minRows, String why) {
        if (rows < minRows) {
            throw new InvalidInputException(metric + ": the " + role + " feature set has " + rows + " vector"
                    + (rows == 1 ? "" : "s") + " but needs at least " + minRows + " (" + why
                    + "): evaluate more images");
        }
        for (int k = 0; k < data.length; k++) {
            if (!Float.isFinite(data[k])) {
                throw new InvalidInputException(metric + ": feature " + (k % dim) + " of vector " + (k / dim) + " in the "
                        + role + " set is " + data[k] + ": the images or the feature network produced non-finite"
                        + " values; check the checkpoint and the generated images");
            }
        }
    }

    static void requireSameDim(String metric, FeatureMatrix a, String roleA, FeatureMatrix b, String roleB) {
        if (a.dim != b.dim) {
            throw new InvalidInputException(metric + ": the " + roleA + " features have dimension " + a.dim + " but the "
                    + roleB + " features have " + b.dim + ": compute both sets with the same feature network");
        }
    }
}
