package org.dlc4j.cli;

import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Option;

/** The prior sampler's flags, shared by prior sample and generate. */
public final class PriorSamplerOptions {
    @Option(names = "--prior-sampler", defaultValue = "analytic", description = "analytic (Tweedie), euler or remask (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--prior-steps", defaultValue = "128", description = "Prior sampling steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--eta", defaultValue = "0.01", description = "Remasking rate η in [0, 1] for --prior-sampler remask (default: ${DEFAULT-VALUE}).")
    double eta;

    @Option(names = "--t0", defaultValue = "0.3", description = "Start of the remasking window (default: ${DEFAULT-VALUE}).")
    double t0;

    @Option(names = "--t1", defaultValue = "0.55", description = "End of the remasking window (default: ${DEFAULT-VALUE}).")
    double t1;

    @Option(names = "--no-denoise", description = "Skip the final denoising step (codes may then keep masked positions).")
    boolean noDenoise;

    public PriorSampler.Config config() {
        try {
            return new PriorSampler.Config(PriorSampler.Predictor.parse(sampler), steps, eta, t0, t1, !noDenoise, 1e-5);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage() + " (see --prior-sampler, --prior-steps, --eta, --t0, --t1)");
        }
    }
}
