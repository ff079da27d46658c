package org.dlc4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out} of the training commands: where the trained model goes (null: its shipped place under models/). */
final class ModelOutputOption {
    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the trained model (default: its place under models/, which the other"
            + " commands read).")
    Path path;
}
