package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Images;
import org.dlc4j.eval.Reference;
import org.dlc4j.experiments.SanityTable;
import org.dlc4j.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc eval sanity}: the evaluator's validation table, test and corrupted test sets scored against train. */
@Command(name = "sanity", mixinStandardHelpOptions = true,
        description = "The validation table: test and corrupted test sets scored against train.")
final class EvalSanityCommand implements Callable<Integer> {
    @Mixin
    ScoringOptions scoring;

    @Option(names = "--n", defaultValue = "10000", description = "Images per evaluated set and reference images for KID, P/R (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        ImageDataset test = FashionMnist.load(scoring.data.dir, FashionMnist.Split.TEST, n);
        try (NDManager manager = scoring.common.newManager(); FeatureNet net = scoring.network.load(manager)) {
            Reference train = Reference.open("train", scoring.data.dir, n, net, manager);
            var r = SanityTable.run(manager, test, train, net, scoring.common.seed);
            System.out.print(r.table());
            System.out.print(r.timing());
            AtomicFiles.writeString(out, "Reference: Fashion-MNIST train (FD/sFD from the stored statistics of all 60,000; KID and P/R against the first "
                    + train.features().size() + "). Feature network " + net.sha256().substring(0, 12) + "…, seed " + scoring.common.seed + ".\n\n" + r.table() + r.timing());
            System.out.println("table: " + out);
        }
        return 0;
    }
}
