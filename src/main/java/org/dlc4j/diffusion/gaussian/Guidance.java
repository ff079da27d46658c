package org.dlc4j.diffusion.gaussian;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Classifier-free guidance (Ho &amp; Salimans): ε̂ = ε_u + s·(ε_c − ε_u), both branches in one forward pass.
 * Only the first {@code epsChannels} output channels are guided; the learned-variance channels come from
 * the conditional branch, as in DiT's forward_with_cfg.
 */
public final class Guidance {
    private Guidance() {
    }

    /**
     * A model run on a doubled batch: rows [0, B) carry the condition, rows [B, 2B) the null condition.
     * The caller's closure knows the conditions; guidance only doubles x and t.
     */
    @FunctionalInterface
    public interface PairedDenoiser {
        NDArray apply(NDArray xPair, int[] tPair);
    }

    /**
     * @param scale       guidance scale s (1 = plain conditional sampling)
     * @param epsChannels how many leading channels are ε (the rest are variance outputs)
     * @param tMax        guidance only where the model timestep t ≤ tMax (the reference's t_max cut-off);
     *                    use Integer.MAX_VALUE to guide everywhere
     */
    public static Denoiser classifierFree(PairedDenoiser model, double scale, int epsChannels, int tMax) {
        return (x, t) -> {
            NDArray out = model.apply(x.concat(x, 0), concat(t, t));
            int b = t.length;
            NDList halves = out.split(2, 0);
            NDArray cond = halves.get(0);
            if (t[0] > tMax || scale == 1.0) {
                return cond;
            }
            long channels = cond.getShape().get(1);
            NDList condParts = cond.split(new long[] {epsChannels}, 1);
            NDList uncondParts = halves.get(1).split(new long[] {epsChannels}, 1);
            NDArray eps = uncondParts.get(0).add(condParts.get(0).sub(uncondParts.get(0)).mul(scale));
            return channels > epsChannels ? eps.concat(condParts.get(1), 1) : eps;
        };
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
