package org.dlc4j;

import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.util.InvalidInputException;

/**
 * How {@link Dlc} samples, with the CLI's defaults ({@link #defaults()}): the DiT's DDIM (or DDPM) steps and
 * classifier-free guidance, the prior's step count (analytic sampler), the text model's unmasking steps and caption
 * guidance, and the seed. The same seed gives the same images as the matching command: {@link Dlc#generate},
 * {@link Dlc#compose} and {@link Dlc#fromPrompt} draw codes with {@code seed} and images with {@code seed + 1} (as
 * {@code dlc generate} and {@code dlc compose}); {@link Dlc#decode} draws images with {@code seed} (as {@code dlc dit sample}).
 *
 * @param steps      DiT sampling steps
 * @param ddpm       ancestral DDPM instead of deterministic DDIM
 * @param guidance   DiT classifier-free guidance scale; 1 is none
 * @param priorSteps SEDD prior steps
 * @param textSteps  unmasking steps of the text model; 0 means L (one position per step)
 * @param textGuidance guidance on the caption; 1 is none
 * @param batch      images per DiT forward pass (memory, not results)
 */
public record Sampling(long seed, int steps, boolean ddpm, double guidance, int priorSteps, int textSteps, double textGuidance, int batch) {
    public Sampling {
        if (steps < 1 || priorSteps < 1 || textSteps < 0 || batch < 1) {
            throw new InvalidInputException("steps, priorSteps and batch must be ≥ 1 and textSteps ≥ 0, not " + steps + ", " + priorSteps + ", "
                    + batch + " and " + textSteps);
        }
        if (!(guidance >= 0) || !(textGuidance >= 0) || Double.isInfinite(guidance) || Double.isInfinite(textGuidance)) {
            throw new InvalidInputException("guidance scales must be finite and ≥ 0 (1 turns guidance off), not " + guidance + " and " + textGuidance);
        }
    }

    /** The CLI's defaults: seed 0, DDIM 50 steps, no DiT guidance, 128 prior steps, L text steps, caption guidance 5, batch 100. */
    public static Sampling defaults() {
        return new Sampling(0, 50, false, 1.0, 128, 0, Unmasking.Config.DEFAULT_SCALE, 100);
    }

    public Sampling withSeed(long s) {
        return new Sampling(s, steps, ddpm, guidance, priorSteps, textSteps, textGuidance, batch);
    }

    public Sampling withSteps(int s) {
        return new Sampling(seed, s, ddpm, guidance, priorSteps, textSteps, textGuidance, batch);
    }

    public Sampling withGuidance(double g) {
        return new Sampling(seed, steps, ddpm, g, priorSteps, textSteps, textGuidance, batch);
    }

    public Sampling withPriorSteps(int s) {
        return new Sampling(seed, steps, ddpm, guidance, s, textSteps, textGuidance, batch);
    }

    public Sampling withTextGuidance(double g) {
        return new Sampling(seed, steps, ddpm, guidance, priorSteps, textSteps, g, batch);
    }

    public Sampling withTextSteps(int s) {
        return new Sampling(seed, steps, ddpm, guidance, priorSteps, s, textGuidance, batch);
    }
}
