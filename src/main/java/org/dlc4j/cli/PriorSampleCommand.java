package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.pipeline.CodeSampling;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.SeddTraining;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.sem.CodeStats;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc prior sample}: codes drawn from a trained prior. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Draw codes from a trained prior; writes a DLC file that dlc dit sample --codes reads.")
final class PriorSampleCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    PriorOption priorFile;

    @Option(names = "--n", defaultValue = "1000", description = "Codes to draw (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    PriorSamplerOptions samplerOptions;

    @Mixin
    CodeBatchOption codeBatch;

    @Option(names = "--compare", description = "Real codes to compare with: per-position total variation and exact copies of them.")
    Path comparePath;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        if (n < 1 || codeBatch.batch < 1) {
            throw new InvalidInputException("--n and --batch must be at least 1");
        }
        PriorSampler.Config sc = samplerOptions.config();
        DlcFile real = comparePath != null ? DlcFile.read(comparePath) : null;
        try (NDManager manager = common.newManager(); TrainedPrior prior = CodeSampling.loadPrior(manager, priorFile.resolve(), "prior")) {
            Sedd.Config mc = prior.model().config();
            if (real != null) {
                SeddTraining.check(mc, real, "--compare");
            }
            long start = System.nanoTime();
            DlcFile codes = CodeSampling.fromPrior(prior, n, sc, codeBatch.batch, common.seed);
            double seconds = (System.nanoTime() - start) / 1e9;
            codes.write(out);
            System.out.printf(Locale.ROOT, "%d codes of %d×%d in %.1f s (%.1f codes/s), %s%n", n, mc.length(), mc.vocab(), seconds, n / seconds,
                    sc.describe());
            if (real != null) {
                System.out.printf(Locale.ROOT, "against %s: mean per-position total variation %.4f, %.2f%% exact copies, %d distinct codes%n",
                        comparePath, CodeStats.positionTv(codes, real), 100 * CodeStats.copyFraction(codes, real), CodeStats.distinct(codes));
            }
            System.out.println("wrote " + out);
        }
        return 0;
    }
}
