package org.dlc4j.cli;

import java.nio.file.Path;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.pipeline.ModelStore;
import picocli.CommandLine.Option;

/** {@code --dit}: a trained model file, the shipped one unless given. */
final class DitOption {
    @Option(names = "--dit", paramLabel = "FILE", description = "The DLC-conditioned DiT (default: the shipped models/dit/fmnist-dlc.safetensors).")
    Path path;

    /** The file given, else the shipped one. */
    Path resolve() {
        return path != null ? path : ModelStore.shipped().dit(Conditioning.DLC);
    }
}
