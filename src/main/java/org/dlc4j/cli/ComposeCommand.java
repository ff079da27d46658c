package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.compose.Composition;
import org.dlc4j.compose.Composition.Method;
import org.dlc4j.compose.Source;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.DiT;
import org.dlc4j.eval.Images;
import org.dlc4j.pipeline.Decoders;
import org.dlc4j.pipeline.Sources;
import org.dlc4j.report.Grids;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlc compose}: new images from the mixed codes (or averaged SEM vectors) of several source images. */
@Command(name = "compose", mixinStandardHelpOptions = true, subcommands = {ComposeStudyCommand.Table.class, ComposeStudyCommand.Sweep.class},
        description = "Compose several sources (PNG files, test:N / train:N Fashion-MNIST images, or codes.safetensors[:N]) into new images:"
                + " their codes mixed per position (code), their SEM distributions averaged (distribution), or their SEM vectors averaged"
                + " for the SEM-conditioned DiT (embedding). Writes grid.png (sources in the first column), samples.npz and codes.safetensors.")
public final class ComposeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..*", paramLabel = "SOURCE", description = "Two or more: a .png file, test:N or train:N, or codes.safetensors[:N].")
    List<String> sourceSpecs = new ArrayList<>();

    @Option(names = "--method", defaultValue = "code", description = "code (the paper), distribution (the reference code) or embedding"
            + " (the continuous baseline) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--weights", split = ",", description = "One relative weight per source, e.g. 0.7,0.3 (default: equal).")
    double[] weights;

    @Option(names = "--n", defaultValue = "16", description = "Compositions to draw (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    ComposeModelOptions models;

    @Mixin
    DataOption data;

    @Mixin
    GuidedSamplerOptions sampling;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        Method m = Composition.Method.parse(method);
        if (sourceSpecs.size() < 2) {
            throw new InvalidInputException("dlc compose needs at least two sources, got " + sourceSpecs.size()
                    + ": pass .png files, test:N / train:N, or codes.safetensors[:N]");
        }
        if (n < 1) {
            throw new InvalidInputException("--n must be at least 1, not " + n);
        }
        var options = sampling.options();
        try (NDManager manager = common.newManager(); Decoders decoders = models.load(manager, EnumSet.of(m))) {
            DiT.Config shown = decoders.dit(m).output();
            Sources inputs = Sources.load(manager, sourceSpecs, data.dir, decoders.encoder(), models.tau, shown.image(), shown.channels());
            Condition cond = Composition.condition(m, inputs.sources(), weights, n, new Rng(common.seed));
            long start = System.nanoTime();
            float[] images = decoders.sample(manager, m, inputs.sources(), cond, options, new Rng(common.seed + 1));
            double seconds = (System.nanoTime() - start) / 1e9;
            DiT.Config c = decoders.dit(m).output();
            ImageDataset samples = ImageDataset.fromBatch("compositions", images, c.channels(), c.image(), c.image());
            ImageNpz.write(out.resolve(Images.SAMPLES_NPZ), samples);
            Grids.compositions(out.resolve("grid.png"), inputs.images(), samples);
            Source first = inputs.sources().get(0);
            if (m.makesCodes()) {
                new DlcFile(cond.tokens(), first.length(), first.vocab(), null, null, models.tau, first.encoderSha(), "compose " + m.label())
                        .write(out.resolve("codes.safetensors"));
            }
            System.out.printf(Locale.ROOT, "%d %s compositions of %d sources in %.1f s (%s)%nwrote %s and %s%n", n, m.label(),
                    inputs.sources().size(), seconds, sampling.describe(), out.resolve("grid.png"), out.resolve(Images.SAMPLES_NPZ));
        }
        return 0;
    }
}
