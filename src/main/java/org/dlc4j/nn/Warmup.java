package org.dlc4j.nn;

/** Linear learning-rate warm-up to a constant rate (the SEDD recipe; DiT uses no warm-up). */
public record Warmup(double lr, long warmupSteps) {
    public double at(long step) {
        return warmupSteps <= 0 ? lr : lr * Math.min(1.0, (step + 1.0) / warmupSteps);
    }
}
