package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.dlc4j.eval.FeatureNet;
import picocli.CommandLine.Option;

/** {@code --features} and {@code --allow-unpinned}: the feature network every scoring command loads. */
final class NetworkOption {
    @Option(names = "--features", description = "Feature network (default: the pinned models/eval/fmnist-features.safetensors).")
    Path features;

    @Option(names = "--allow-unpinned", description = "Accept a feature network whose SHA-256 is not the pinned one (numbers will not compare).")
    boolean allowUnpinned;

    FeatureNet load(NDManager manager) {
        return FeatureNet.load(manager, features != null ? features : FeatureNet.defaultPath(), allowUnpinned);
    }
}
