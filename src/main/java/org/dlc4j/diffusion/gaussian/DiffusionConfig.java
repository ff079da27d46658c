package org.dlc4j.diffusion.gaussian;

/**
 * A Gaussian diffusion process and its training objective.
 *
 * @param schedule   β schedule (DiT: linear; improved DDPM: cosine)
 * @param steps      number of diffusion steps T (1000 in DiT)
 * @param learnSigma the model also outputs v ∈ [−1, 1] per channel, interpolating log σ² between log β̃_t and
 *                   log β_t, trained with the hybrid loss L_simple + L_vlb (improved DDPM, DiT)
 * @param sigmaSmall with a fixed variance: β̃_t (posterior variance) instead of β_t
 * @param vlbWeight  weight of the per-timestep L_vlb term (T/1000 as improved DDPM's λ = 0.001; 1 in DiT)
 * @param decoder    likelihood of x₀ at t = 0 in L_vlb: discretised for 8-bit images, Gaussian for continuous data
 */
public record DiffusionConfig(BetaSchedule schedule, int steps, boolean learnSigma, boolean sigmaSmall, double vlbWeight, Decoder decoder) {
    public enum Decoder { DISCRETIZED_8BIT, GAUSSIAN }

    public DiffusionConfig {
        if (steps < 1) {
            throw new IllegalArgumentException("diffusion steps must be positive: " + steps);
        }
    }

    /** DiT's recipe: linear schedule, T = 1000, learned σ, hybrid loss, 8-bit decoder. */
    public static DiffusionConfig dit() {
        return new DiffusionConfig(BetaSchedule.LINEAR, 1000, true, false, 1.0, Decoder.DISCRETIZED_8BIT);
    }

    /** Improved DDPM's objective for continuous data: learned σ, hybrid loss with λ = 0.001. */
    public static DiffusionConfig improvedContinuous(BetaSchedule schedule, int steps) {
        return new DiffusionConfig(schedule, steps, true, false, steps / 1000.0, Decoder.GAUSSIAN);
    }
}
