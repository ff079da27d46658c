package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Reference;
import org.dlc4j.eval.ReferenceStats;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc eval reference}: check (or rebuild) the stored Fashion-MNIST reference statistics. */
@Command(name = "reference", mixinStandardHelpOptions = true,
        description = "Check the stored Fashion-MNIST reference statistics, or rebuild them with --recompute.")
final class EvalReferenceCommand implements Callable<Integer> {
    @Mixin
    ScoringOptions scoring;

    @Option(names = "--split", split = ",", defaultValue = "train,test", description = "Splits (default: ${DEFAULT-VALUE}).")
    List<String> splits;

    @Option(names = "--recompute", description = "Recompute from the images and overwrite the stored statistics.")
    boolean recompute;

    @Override
    public Integer call() {
        try (NDManager manager = scoring.common.newManager(); FeatureNet net = scoring.network.load(manager)) {
            for (String split : splits) {
                Path path = ReferenceStats.defaultPath(split);
                ReferenceStats stats;
                if (recompute) {
                    if (!net.sha256().equals(FeatureNet.PINNED_SHA256)) {
                        throw new InvalidInputException("the stored statistics serve the pinned feature network; to ship another network, put its"
                                + " SHA-256 in FeatureNet.PINNED_SHA256 first (dlc eval --ref test computes an unpinned network's statistics on the fly)");
                    }
                    ImageDataset images = FashionMnist.load(scoring.data.dir, FashionMnist.Split.parse(split));
                    stats = Reference.madeOnce(path, "fashion-mnist-" + split, images, images.count(), net, manager).stats();
                } else if (!Files.exists(path)) {
                    throw new InvalidInputException(path + " is not there (only the test statistics ship; dlc eval --ref " + split
                            + " makes the others on first use): make it with dlc eval reference --split " + split + " --recompute");
                } else {
                    stats = ReferenceStats.load(path, net.sha256());
                }
                System.out.printf(Locale.ROOT, "%s: %s, %d images, %d-d features, %d-d spatial, feature net %s%n", path, stats.name(),
                        stats.count(), stats.pool().dim(), stats.spatial().dim(), stats.featureSha().substring(0, 12));
            }
        }
        return 0;
    }
}
