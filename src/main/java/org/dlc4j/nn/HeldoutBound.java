package org.dlc4j.nn;

import ai.djl.ndarray.NDScope;
import org.dlc4j.util.Rng;

/**
 * A diffusion bound on held-out data, E_t[loss(x, t)] averaged over items, with t stratified: each item is scored at one
 * time in each of {@code strata} equal slices of [0, 1). The draws come from a fixed seed, so successive evaluations
 * during a run differ only by the weights.
 */
public final class HeldoutBound {
    /** The summed loss of items [start, start + count) at uniform times u ∈ [0, 1) (one per item), drawing noise from rng. */
    public interface BatchLoss {
        double sum(int start, int count, double[] u, Rng rng);
    }

    private HeldoutBound() {}

    /** The mean loss per item over n items, evaluated {@code batch} items at a time. */
    public static double mean(int n, int strata, int batch, BatchLoss loss) {
        Rng rng = new Rng(12345);
        double total = 0;
        for (int k = 0; k < strata; k++) {
            for (int start = 0; start < n; start += batch) {
                int count = Math.min(batch, n - start);
                double[] u = new double[count];
                for (int i = 0; i < count; i++) {
                    u[i] = (k + rng.nextDouble()) / strata;
                }
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    total += loss.sum(start, count, u, rng);
                }
            }
        }
        return total / strata / n;
    }
}
