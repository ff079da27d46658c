package org.dlc4j.cli;

import java.nio.file.Path;
import org.dlc4j.pipeline.ModelStore;
import picocli.CommandLine.Option;

/** {@code --prior}: a trained model file, the shipped one unless given. */
final class PriorOption {
    @Option(names = "--prior", paramLabel = "FILE", description = "The SEDD prior (default: the shipped models/prior/fmnist-sedd.safetensors).")
    Path path;

    /** The file given, else the shipped one. */
    Path resolve() {
        return path != null ? path : ModelStore.shipped().prior();
    }
}
