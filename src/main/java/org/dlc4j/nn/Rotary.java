package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding (Su et al. 2021) in the GPT-NeoX layout SEDD uses: channel i of a head is paired with
 * channel i + d/2, and the pair at position n is rotated by the angle n·base^(−2i/d).
 */
public final class Rotary {
    private final NDArray cos;
    private final NDArray sin;

    /** Angles for {@code length} positions of heads {@code headDim} wide; the tables live in {@code manager}. */
    public Rotary(NDManager manager, int length, int headDim, double base) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary embedding needs an even head width, not " + headDim);
        }
        int half = headDim / 2;
        float[] c = new float[length * headDim];
        float[] s = new float[length * headDim];
        for (int n = 0; n < length; n++) {
            for (int i = 0; i < half; i++) {
                double angle = n / Math.pow(base, 2.0 * i / headDim);
                c[n * headDim + i] = c[n * headDim + half + i] = (float) Math.cos(angle);
                s[n * headDim + i] = s[n * headDim + half + i] = (float) Math.sin(angle);
            }
        }
        this.cos = manager.create(c, new Shape(length, headDim));
        this.sin = manager.create(s, new Shape(length, headDim));
    }

    /** x: [..., T, d] with T the length given at construction → x·cos + rotate_half(x)·sin. */
    public NDArray apply(NDArray x) {
        int last = x.getShape().dimension() - 1;
        long d = x.getShape().get(last);
        if (d != cos.getShape().get(1)) {
            throw new IllegalArgumentException("head width " + d + " does not match the rotary table's " + cos.getShape().get(1));
        }
        NDList halves = x.split(2, last);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), last);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
