package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageFolder;
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

    @Option(names = "--folder", paramLabel = "DIR", description = "Validate a feature network of your own pictures instead (give it with"
            + " --features): its held-out pictures and their corruptions against its training pictures (the split of dlc eval train-features).")
    Path folder;

    @Option(names = "--channels", defaultValue = "3", description = "Channels of --folder pictures: 1 or 3 (default: ${DEFAULT-VALUE}).")
    int channels;

    @Mixin
    TestFractionOption testFraction;

    @Mixin
    FolderOptions folderOptions;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        try (NDManager manager = scoring.common.newManager(); FeatureNet net = scoring.network.load(manager)) {
            ImageDataset test;
            Reference train;
            String what;
            if (folder != null) {
                var split = ImageFolder.load(folder, folderOptions.options(channels)).split(testFraction.value);
                test = split.test().take(Math.min(n, split.test().count()));
                train = Reference.fromImages(split.train().name(), split.train(), n, net, manager);
                what = String.format(Locale.ROOT, "the %d training pictures of %s (all for FD/sFD; KID and P/R against the first %d)",
                        split.train().count(), folder, train.features().size());
            } else {
                test = FashionMnist.load(scoring.data.dir, FashionMnist.Split.TEST, n);
                train = Reference.open("train", scoring.data.dir, n, net, manager);
                what = "Fashion-MNIST train (FD/sFD from the stored statistics of all 60,000; KID and P/R against the first " + train.features().size() + ")";
            }
            var r = SanityTable.run(manager, test, train, net, scoring.common.seed);
            System.out.print(r.table());
            System.out.print(r.timing());
            AtomicFiles.writeString(out, "Reference: " + what + ". Feature network " + net.sha256().substring(0, 12) + "…, seed " + scoring.common.seed
                    + ".\n\n" + r.table() + r.timing());
            System.out.println("table: " + out);
        }
        return 0;
    }
}
