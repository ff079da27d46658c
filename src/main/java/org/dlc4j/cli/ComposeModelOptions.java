package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Set;
import org.dlc4j.compose.Composition.Method;
import org.dlc4j.pipeline.Decoders;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The model flags of compose and its studies. */
final class ComposeModelOptions {
    @Mixin
    EncoderOption encoderFile;

    @Mixin
    DitOption ditFile;

    @Option(names = "--sem-dit", description = "SEM-conditioned DiT for --method embedding (default: models/dit/fmnist-sem.safetensors,"
            + " else out/dit/fmnist-sem.safetensors).")
    Path semDit;

    @Option(names = "--tau", defaultValue = "1.0", description = "SEM temperature of distribution mixing (reference: 1; → 0 is code"
            + " mixing) (default: ${DEFAULT-VALUE}).")
    double tau;

    /** The DiTs the methods need and the encoder of the image sources, the shipped ones unless given. */
    Decoders load(NDManager manager, Set<Method> methods) {
        return load(manager, methods, ModelStore.shipped());
    }

    /** As {@link #load(NDManager, Set)}, with the models of {@code store} (e.g. a chain's folder) unless given. */
    Decoders load(NDManager manager, Set<Method> methods, ModelStore store) {
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new InvalidInputException("--tau must be a positive number, not " + tau);
        }
        return Decoders.load(manager, store, encoderFile.path, ditFile.path, semDit, methods);
    }
}
