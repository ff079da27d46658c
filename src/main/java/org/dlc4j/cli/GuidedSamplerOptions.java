package org.dlc4j.cli;

import java.util.Locale;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Option;

/**
 * The sampler flags plus guidance and batching: how dit sample, generate and compose run the DiT. Public, so that a
 * command of another module ({@code dlc spark generate}) takes exactly these flags with these defaults.
 */
public final class GuidedSamplerOptions extends DitSamplerOptions {
    @Option(names = "--scale", defaultValue = "1.0", description = "Classifier-free guidance scale; 1 is none (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--t-max", description = "Guide only at model timesteps ≤ this (default: every step).")
    Integer tMax;

    @Option(names = "--batch", defaultValue = "100", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    public DitSampling.Options options() {
        if (!(scale >= 0)) {
            throw new InvalidInputException("--scale must be ≥ 0 (1 turns guidance off), not " + scale);
        }
        if (batch < 1) {
            throw new InvalidInputException("--batch must be at least 1");
        }
        return new DitSampling.Options(config(), scale, tMax != null ? tMax : Integer.MAX_VALUE, batch);
    }

    @Override
    public String describe() {
        return super.describe() + String.format(Locale.ROOT, " steps, scale %.2f", scale);
    }
}
