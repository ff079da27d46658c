package org.dlc4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out} of the commands that write one file and have no place for it by default. */
final class RequiredOutputOption {
    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The .safetensors file to write.")
    Path path;
}
