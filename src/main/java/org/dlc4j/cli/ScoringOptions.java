package org.dlc4j.cli;

import picocli.CommandLine.Mixin;

/** What every command that scores images shares: the common options, where Fashion-MNIST is, and the feature network. */
final class ScoringOptions {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Mixin
    NetworkOption network;
}
