package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import org.dlc4j.nn.Scalar;

/**
 * VICReg (Bardes, Ponce, LeCun 2022): two views' embeddings are made invariant (mean squared difference), each
 * dimension keeps a standard deviation of at least 1 over the batch (a hinge on √(var + ε)), and the dimensions are
 * decorrelated (squared off-diagonal covariances summed, divided by D). Nothing else prevents collapse: no teacher,
 * no negatives.
 *
 * @param invariance λ (paper: 25)
 * @param variance   μ (paper: 25)
 * @param covariance ν (paper: 1)
 */
public record VicRegLoss(double invariance, double variance, double covariance) {
    public static VicRegLoss paper() {
        return new VicRegLoss(25, 25, 1);
    }

    /** The three terms, unweighted, so that a test and the progress line can read each. */
    public record Terms(NDArray invariance, NDArray variance, NDArray covariance) {
    }

    /** @param a [B, D]; @param b [B, D] the other view's embeddings, B ≥ 2 */
    public NDArray loss(NDArray a, NDArray b) {
        Terms t = terms(a, b);
        return Scalar.times(t.invariance(), invariance).add(Scalar.times(t.variance(), variance)).add(Scalar.times(t.covariance(), covariance));
    }

    public static Terms terms(NDArray a, NDArray b) {
        NDArray inv = a.sub(b).square().mean();
        NDArray ca = a.sub(a.mean(new int[] {0}, true));
        NDArray cb = b.sub(b.mean(new int[] {0}, true));
        NDArray var = Scalar.times(hinge(ca).add(hinge(cb)), 0.5);
        return new Terms(inv, var, offDiagonal(ca).add(offDiagonal(cb)));
    }

    /** mean over dimensions of relu(1 − √(var + 1e-4)), var the unbiased batch variance of centred {@code c}. */
    private static NDArray hinge(NDArray c) {
        long n = c.getShape().get(0);
        NDArray std = Scalar.over(c.square().sum(new int[] {0}), n - 1).add(1e-4f).sqrt();
        return Scalar.atLeast(Scalar.times(std, -1).add(1f), 0).mean();
    }

    /** Σ_{i≠j} cov_ij² / D for centred {@code c} [B, D], cov = cᵀc / (B − 1). */
    private static NDArray offDiagonal(NDArray c) {
        long n = c.getShape().get(0);
        long d = c.getShape().get(1);
        NDArray cov = Scalar.over(c.transpose().matMul(c), n - 1);
        NDArray diag = Scalar.over(c.square().sum(new int[] {0}), n - 1);
        return Scalar.over(cov.square().sum().sub(diag.square().sum()), d);
    }
}
