package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.eval.LinearProbe;
import org.dlc4j.experiments.Probes;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc sem eval}: how much class information an encoder's codes carry ({@link Probes#encoder}). */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Linear probes on the codes (one-hot) and on the continuous SEM and [CLS] features, code usage, nearest-code grid.")
final class SemEvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOption data;

    @Mixin
    EncoderOption encoderFile;

    @Option(names = "--limit", defaultValue = "0", description = "Use the first N train and test images only (default: all).")
    int limit;

    @Option(names = "--knn", split = ",", defaultValue = "1,5,20,50",
            description = "Neighbour counts of the k-nearest-code class vote, an estimate of how much class a code carries beyond the linear probe (default: ${DEFAULT-VALUE}).")
    int[] knnCounts;

    @Option(names = "--grid", defaultValue = "out/sem/nearest-codes.png", description = "Nearest-code grid (default: ${DEFAULT-VALUE}).")
    Path grid;

    @Override
    public Integer call() {
        int max = limit > 0 ? limit : Integer.MAX_VALUE;
        if (java.util.Arrays.stream(knnCounts).anyMatch(k -> k < 1)) {
            throw new InvalidInputException("--knn takes neighbour counts ≥ 1, for example --knn 1,5,20,50");
        }
        ImageDataset train = FashionMnist.load(data.dir, FashionMnist.Split.TRAIN, max);
        ImageDataset test = FashionMnist.load(data.dir, FashionMnist.Split.TEST, max);
        if (java.util.Arrays.stream(knnCounts).anyMatch(k -> k > train.count())) {
            throw new InvalidInputException("--knn asks for more neighbours than the " + train.count() + " train codes; lower it or raise --limit");
        }
        try (NDManager manager = common.newManager(); TrainedEncoder enc = TrainedEncoder.load(manager, encoderFile.resolve())) {
            var c = enc.config();
            var r = Probes.encoder(manager, enc, train, test, knnCounts, LinearProbe.Config.defaults(common.seed));
            CodeStats stats = r.usage();
            System.out.printf(Locale.ROOT, "encoder %s (%d×%d)%n", enc.sha256().substring(0, 12), c.length(), c.vocab());
            System.out.printf(Locale.ROOT, "linear probe, test accuracy: DLC one-hot %.4f | continuous SEM %.4f | backbone feature (%s) %.4f%n",
                    r.dlc().testAccuracy(), r.sem().testAccuracy(), c.resnet() ? "pooled" : "[CLS]", r.feature().testAccuracy());
            System.out.printf(Locale.ROOT, "code usage on test: %.1f%% of V per position on average (min %.1f%%), perplexity %.1f, %d distinct codes of %d%n",
                    100 * stats.meanUsage(), 100 * java.util.Arrays.stream(stats.usage()).min().orElse(0), stats.meanPerplexity(),
                    stats.distinctCodes(), stats.count());
            StringBuilder knn = new StringBuilder();
            for (int i = 0; i < knnCounts.length; i++) {
                knn.append(String.format(Locale.ROOT, " | k=%d %.1f%%", knnCounts[i], 100 * r.knnAccuracy()[i]));
            }
            System.out.printf(Locale.ROOT, "class of the k train codes sharing most tokens (majority vote), on %d test codes:%s%n", test.count(),
                    knn.substring(2));
            Probes.writeNearest(grid, test, r.testCodes());
            System.out.println("nearest-code grid: " + grid);
        }
        return 0;
    }
}
