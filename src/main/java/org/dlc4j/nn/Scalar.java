package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a constant that is safe under autograd. DJL 0.36's {@code x.mul(2f)}, {@code div}, {@code pow} and
 * {@code maximum} with a number wrap the number in a temporary tensor backed by a direct buffer and close it as soon as
 * the op returns, while PyTorch's autograd keeps that tensor's storage for the backward pass. A garbage collection
 * between forward and backward then frees the buffer and the backward reads whatever the memory holds: NaN gradients,
 * or silently wrong ones (measured: with {@code System.gc()} before every backward, every DiT and SEDD step had a NaN
 * gradient; in normal runs one step in ~1,000 to one in 3, depending on allocation). Here the constant is an ordinary
 * tensor of the current scope, alive until the step's scope closes.
 */
public final class Scalar {
    private Scalar() {
    }

    private static NDArray constant(NDArray like, double v) {
        return like.getManager().create((float) v);
    }

    /** x·v. */
    public static NDArray times(NDArray x, double v) {
        return x.mul(constant(x, v));
    }

    /** x / v. */
    public static NDArray over(NDArray x, double v) {
        return x.div(constant(x, v));
    }

    /** xᵖ. */
    public static NDArray power(NDArray x, double p) {
        return x.pow(constant(x, p));
    }

    /** max(x, v), elementwise. */
    public static NDArray atLeast(NDArray x, double v) {
        return x.maximum(constant(x, v));
    }
}
