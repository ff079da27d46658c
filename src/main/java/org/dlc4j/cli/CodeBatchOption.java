package org.dlc4j.cli;

import picocli.CommandLine.Option;

/** {@code --batch} of the commands that draw codes: how many codes one forward pass holds (memory, not results). */
final class CodeBatchOption {
    @Option(names = "--batch", defaultValue = "256", description = "Codes per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;
}
