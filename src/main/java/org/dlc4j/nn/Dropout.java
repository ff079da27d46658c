package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import org.dlc4j.util.Rng;

/**
 * Inverted dropout whose mask comes from the project's {@link Rng} rather than libtorch's generator, so a resumed run
 * draws the same masks as an uninterrupted one.
 */
public final class Dropout {
    private Dropout() {
    }

    /** x with each entry zeroed with probability p and the rest scaled by 1/(1 − p); x itself when rng is null (evaluation). */
    public static NDArray apply(NDArray x, double p, Rng rng) {
        if (rng == null || p <= 0) {
            return x;
        }
        float keep = (float) (1 - p);
        float[] mask = rng.uniforms(Math.toIntExact(x.size()));
        for (int i = 0; i < mask.length; i++) {
            mask[i] = mask[i] < keep ? 1 / keep : 0;
        }
        return x.mul(x.getManager().create(mask, x.getShape()));
    }
}
