package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.pipeline.CodeSampling;
import org.dlc4j.text.TrainedText;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc text sample}: codes drawn for a prompt from the text-to-DLC model. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Draw codes for a prompt; writes a DLC file that dlc dit sample --codes reads.")
final class TextSampleCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    TextModelOption textFile;

    @Option(names = "--prompt", required = true, description = "What to draw, e.g. \"a photo of a sneaker\".")
    String prompt;

    @Option(names = "--n", defaultValue = "16", description = "Codes to draw (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    TextSamplerOptions sampler;

    @Mixin
    CodeBatchOption codeBatch;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Path out = output.path;
        if (n < 1 || codeBatch.batch < 1) {
            throw new InvalidInputException("--n and --batch must be at least 1");
        }
        try (NDManager manager = common.newManager(); TrainedText model = CodeSampling.loadText(manager, textFile.resolve(), "text-model")) {
            var c = sampler.config(model.model().config().length());
            long start = System.nanoTime();
            DlcFile codes = CodeSampling.fromPrompt(model, prompt, n, c, codeBatch.batch, common.seed);
            codes.write(out);
            System.out.printf(Locale.ROOT, "%d codes for \"%s\" in %.1f s (%s)%nwrote %s%n", n, prompt, (System.nanoTime() - start) / 1e9,
                    c.describe(), out);
        }
        return 0;
    }
}
