package org.dlc4j.cli;

import java.nio.file.Path;
import org.dlc4j.pipeline.ModelStore;
import picocli.CommandLine.Option;

/** {@code --text-model}: a trained model file, the shipped one unless given. */
final class TextModelOption {
    @Option(names = "--text-model", paramLabel = "FILE", description = "The text-to-DLC model (default: the shipped models/text/fmnist-t2d.safetensors).")
    Path path;

    /** The file given, else the shipped one. */
    Path resolve() {
        return path != null ? path : ModelStore.shipped().text();
    }
}
