package org.dlc4j.diffusion.gaussian;

import java.util.Locale;
import org.dlc4j.util.InvalidInputException;

/**
 * How to sample a Gaussian diffusion model. Holds no weights; serialisable into checkpoint and report metadata.
 *
 * @param kind          ddpm (ancestral, DiT's default) or ddim
 * @param steps         respaced number of steps, e.g. 250 of 1000
 * @param eta           DDIM's η (0 = deterministic); ignored by DDPM
 * @param clipDenoised  clip the predicted x₀ to [−1, 1] (DiT samples latents with false; pixel-space models, as
 *                      improved DDPM's, with true)
 */
public record SamplerConfig(String kind, int steps, double eta, boolean clipDenoised) {
    public SamplerConfig {
        kind = kind.toLowerCase(Locale.ROOT);
        if (!kind.equals("ddpm") && !kind.equals("ddim")) {
            throw new InvalidInputException("unknown sampler '" + kind + "': use ddpm or ddim");
        }
        if (steps < 1) {
            throw new InvalidInputException("sampling steps must be at least 1, got " + steps);
        }
        if (eta < 0) {
            throw new InvalidInputException("DDIM eta must be ≥ 0, got " + eta);
        }
    }

    public static SamplerConfig ddpm(int steps) {
        return new SamplerConfig("ddpm", steps, 0, false);
    }

    public static SamplerConfig ddim(int steps, double eta) {
        return new SamplerConfig("ddim", steps, eta, false);
    }

    public SamplerConfig withClipDenoised(boolean clip) {
        return new SamplerConfig(kind, steps, eta, clip);
    }

    /** The sampler over {@code base} respaced to {@link #steps()}. */
    public GaussianSampler build(GaussianDiffusion base) {
        GaussianDiffusion spaced = steps == base.numSteps() ? base
                : base.respace(kind.equals("ddim") ? ddimSpec(base.numSteps()) : Integer.toString(steps));
        return kind.equals("ddim") ? new DdimSampler(spaced, eta, clipDenoised) : new DdpmSampler(spaced, clipDenoised);
    }

    /** An exact stride when one exists (as DiT's "ddimN"), otherwise even spacing. */
    private String ddimSpec(int total) {
        return total % steps == 0 ? "ddim" + steps : Integer.toString(steps);
    }
}
