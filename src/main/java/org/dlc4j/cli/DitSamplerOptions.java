package org.dlc4j.cli;

import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Option;

/** The DiT sampler flags, shared by dit sample, dit curve, prior sweep and (with guidance) the generating commands. */
public class DitSamplerOptions {
    @Option(names = "--sampler", defaultValue = "ddim", description = "ddpm or ddim (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--steps", defaultValue = "50", description = "Sampling steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--no-clip", description = "Do not clip the predicted x₀ to [−1, 1] at each step (the DiT reference's latent-space"
            + " setting; in pixel space an under-trained model then saturates).")
    boolean noClip;

    public SamplerConfig config() {
        if (steps < 1) {
            throw new InvalidInputException("--steps must be at least 1");
        }
        SamplerConfig c = switch (sampler) {
            case "ddpm" -> SamplerConfig.ddpm(steps);
            case "ddim" -> SamplerConfig.ddim(steps, 0.0);
            default -> throw new InvalidInputException("--sampler '" + sampler + "' is not ddpm or ddim");
        };
        return c.withClipDenoised(!noClip);
    }

    public String describe() {
        return sampler + " " + steps + (noClip ? " unclipped" : "");
    }
}
