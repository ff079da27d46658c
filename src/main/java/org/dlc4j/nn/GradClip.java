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
        // Per-tensor norms read each gradient once without a squared copy; one host synchronisation for the whole model.
        NDArray[] norms = grads.values().stream().map(NDArray::norm).toArray(NDArray[]::new);
        return Math.sqrt(NDArrays.stack(new ai.djl.ndarray.NDList(norms)).square().sum().getFloat());
    }
}
