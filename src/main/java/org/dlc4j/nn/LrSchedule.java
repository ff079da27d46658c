package org.dlc4j.nn;

/**
 * Learning rate by step: linear warm-up to {@code lr}, then constant (DiT, SEDD) or, when {@code minLr} is a number,
 * a half-cosine from {@code lr} down to {@code minLr} at {@code totalSteps} (DINO, DINOv2).
 */
public record LrSchedule(double lr, long warmupSteps, long totalSteps, double minLr) {
    public static LrSchedule constant(double lr, long warmupSteps) {
        return new LrSchedule(lr, warmupSteps, 0, Double.NaN);
    }

    public double at(long step) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return lr * (step + 1.0) / warmupSteps;
        }
        if (Double.isNaN(minLr) || totalSteps <= warmupSteps) {
            return lr;
        }
        double progress = Math.min(1.0, (step - warmupSteps) / (double) (totalSteps - warmupSteps));
        return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
    }
}
