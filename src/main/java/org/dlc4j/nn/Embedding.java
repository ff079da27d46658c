package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import org.dlc4j.util.Rng;

/** A lookup table of {@code count} learned vectors (class labels, mixture indices, tokens). */
public final class Embedding {
    private final NDArray table;
    private final int count;

    public Embedding(Params p, String name, int count, int dim, Init init, Rng rng) {
        this.table = p.add(name + ".weight", new long[] {count, dim}, init, rng);
        this.count = count;
    }

    public int count() {
        return count;
    }

    public NDArray forward(int[] ids) {
        for (int id : ids) {
            if (id < 0 || id >= count) {
                throw new IllegalArgumentException("embedding index " + id + " outside [0, " + count + ")");
            }
        }
        // A one-hot product is differentiable in every engine and cheap at the table sizes used here.
        NDArray oneHot = Layers.ids(table.getManager(), ids).oneHot(count);
        return oneHot.matMul(table);
    }
}
