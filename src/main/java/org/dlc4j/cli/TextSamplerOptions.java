package org.dlc4j.cli;

import org.dlc4j.diffusion.discrete.Unmasking;
import picocli.CommandLine.Option;

/** The unmasking sampler's flags, shared by text sample and generate --prompt. */
final class TextSamplerOptions {
    @Option(names = "--text-steps", description = "Unmasking steps, 1..L (default: L, one position per step as the reference).")
    Integer steps;

    @Option(names = "--remasking", defaultValue = "low-confidence",
            description = "Which positions each step commits: low-confidence (the paper) or random (the reference's demo) (default: ${DEFAULT-VALUE}).")
    String remasking;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature of the tokens; 0 takes the argmax (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--text-scale", defaultValue = "" + Unmasking.Config.DEFAULT_SCALE,
            description = "Classifier-free guidance on the caption; 1 is none (default: ${DEFAULT-VALUE}).")
    double scale;

    Unmasking.Config config(int length) {
        return new Unmasking.Config(steps != null ? steps : length, Unmasking.Remasking.parse(remasking), temperature, scale);
    }
}
