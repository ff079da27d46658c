package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import org.dlc4j.nn.Scalar;

/**
 * BYOL's regression loss (Grill et al. 2020, eq. 2): the online network's prediction q of one view regresses the
 * target network's projection z' of the other, both L2-normalised: ‖q̄ − z̄'‖² = 2 − 2·cos(q, z'), averaged over the
 * batch. The target carries no gradient; the loss is summed over the two directions by the caller.
 */
public final class ByolLoss {
    private ByolLoss() {}

    /** @param prediction [B, D] online prediction; @param target [B, D] target projection (gradient stopped here) */
    public static NDArray loss(NDArray prediction, NDArray target) {
        NDArray q = unit(prediction);
        NDArray z = unit(target.stopGradient());
        return Scalar.times(q.mul(z).sum(new int[] {-1}), -2).add(2f).mean();
    }

    private static NDArray unit(NDArray x) {
        return x.div(Scalar.atLeast(x.norm(new int[] {-1}, true), 1e-12));
    }
}
