package org.dlc4j.cli;

import java.nio.file.Path;
import org.dlc4j.pipeline.ModelStore;
import picocli.CommandLine.Option;

/** {@code --encoder}: the SEM encoder that turns images into codes. */
final class EncoderOption {
    @Option(names = "--encoder", paramLabel = "FILE", description = "SEM encoder (default: the shipped one; where a trained model reads codes,"
            + " the shipped encoder it was trained on).")
    Path path;

    /** The encoder given, else the shipped default. */
    Path resolve() {
        return path != null ? path : ModelStore.shipped().encoder();
    }

    /** The encoder given, else the shipped one whose SHA-256 is {@code sha} (the encoder a model was trained on). */
    Path resolveFor(String sha) {
        return path != null ? path : ModelStore.shipped().encoderFor(sha);
    }
}
