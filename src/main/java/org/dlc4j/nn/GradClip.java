package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.Map;

/** Global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_ (absent from DJL). */
public final class GradClip {
    private GradClip() {
    }

    /** Scales all gradients in place so their joint L2 norm is at most {@code maxNorm}; returns the norm before. */
    public static double clipGlobalNorm(Map<String, NDArray> grads, double maxNorm) {
        double norm = globalNorm(grads);
        if (maxNorm > 0 && norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            grads.values().forEach(g -> g.muli(scale));
        }
        return norm;
    }

    public static double globalNorm(Map<String, NDArray> grads) {
        NDArray[] squares = grads.values().stream().map(g -> g.square().sum()).toArray(NDArray[]::new);
        // One host synchronisation for the whole model instead of one per tensor.
        return Math.sqrt(NDArrays.stack(new ai.djl.ndarray.NDList(squares)).sum().getFloat());
    }
}
