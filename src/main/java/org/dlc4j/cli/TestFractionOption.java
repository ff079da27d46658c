package org.dlc4j.cli;

import picocli.CommandLine.Option;

/**
 * {@code --test-fraction}: the share of each class of a {@code --folder} held out, by path hash. One definition, so that
 * {@code dlc eval sanity} validates a feature network on exactly the pictures {@code dlc eval train-features} held out.
 */
final class TestFractionOption {
    @Option(names = "--test-fraction", defaultValue = "0.1", description = "Share of each --folder class held out (default: ${DEFAULT-VALUE}).")
    double value;
}
