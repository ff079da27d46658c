package org.dlc4j.diffusion.discrete;

/**
 * SEDD's log-linear noise schedule: the total noise σ̄(t) = −log(1 − (1 − ε)t) and its rate σ̄'(t) = (1 − ε)/(1 − (1 − ε)t),
 * so that under the absorbing graph a token is masked at time t with probability 1 − e^{−σ̄(t)} = (1 − ε)t: linear in t,
 * and never quite 1, which keeps σ̄(1) finite.
 */
public record LogLinearNoise(double eps) {
    public static final LogLinearNoise SEDD = new LogLinearNoise(1e-3);

    public LogLinearNoise {
        if (!(eps > 0 && eps < 1)) {
            throw new IllegalArgumentException("noise ε must be in (0, 1), not " + eps);
        }
    }

    /** σ̄(t). */
    public double total(double t) {
        return -Math.log1p(-(1 - eps) * t);
    }

    /** σ̄'(t). */
    public double rate(double t) {
        return (1 - eps) / (1 - (1 - eps) * t);
    }

    /** The probability that a token is masked at time t. */
    public double maskProbability(double t) {
        return -Math.expm1(-total(t));
    }
}
