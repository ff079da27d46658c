package org.dlc4j.cli;

import java.nio.file.Path;
import org.dlc4j.data.FashionMnist;
import picocli.CommandLine.Option;

/** {@code --data}: where Fashion-MNIST is installed, for every command that reads it. */
final class DataOption {
    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder (default: /usr/share/datasets/fashion-mnist).")
    Path dir = FashionMnist.DEFAULT_DIR;
}
