package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Images;
import org.dlc4j.pipeline.CodeSampling;
import org.dlc4j.pipeline.Compatibility;
import org.dlc4j.pipeline.Generated;
import org.dlc4j.pipeline.Generator;
import org.dlc4j.text.TextToDlc;
import org.dlc4j.text.TrainedText;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc generate}: unconditional generation end to end, a code from the SEDD prior, then an image from the DLC DiT. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate images: codes from the SEDD prior (or, with --prompt, from the text-to-DLC model), then images from the"
                + " DLC-conditioned DiT (grid, samples.npz, codes).")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    PriorOption priorFile;

    @Mixin
    DitOption ditFile;

    @Option(names = "--n", defaultValue = "64", description = "Images to generate (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    PriorSamplerOptions priorOptions;

    @Option(names = "--prompt", description = "Draw the codes from the text-to-DLC model for this prompt instead of from the prior.")
    String prompt;

    @Mixin
    TextModelOption textFile;

    @Mixin
    TextSamplerOptions textOptions;

    @Mixin
    GuidedSamplerOptions ditOptions;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        if (n < 1) {
            throw new InvalidInputException("--n must be at least 1");
        }
        var options = ditOptions.options();
        if (prompt != null) {
            return fromPrompt(options);
        }
        var priorConfig = priorOptions.config();
        try (NDManager manager = common.newManager(); Generator models = Generator.load(manager, priorFile.resolve(), "prior", ditFile.resolve(), "dit")) {
            Generated g = models.generate(manager, n, priorConfig, options.batch(), options, common.seed);
            write(g, models.dit().output(), priorConfig.describe());
        }
        return 0;
    }

    /** Text to image: n codes for the prompt from the text-to-DLC model (seed), then one image per code (seed + 1). */
    private Integer fromPrompt(DitSampling.Options options) {
        try (NDManager manager = common.newManager(); TrainedText text = CodeSampling.loadText(manager, textFile.resolve(), "text-model")) {
            TextToDlc.Config tc = text.model().config();
            var textConfig = textOptions.config(tc.length());
            try (TrainedDit dit = Compatibility.dlcDit(manager, ditFile.resolve(), tc.length(), tc.vocab(), text.encoderSha(), "the text model", "dit")) {
                long start = System.nanoTime();
                DlcFile codes = CodeSampling.fromPrompt(text, prompt, n, textConfig, options.batch(), common.seed);
                Generated g = Generated.decode(manager, dit, codes, (System.nanoTime() - start) / 1e9, options, common.seed);
                write(g, dit.output(), "for \"" + prompt + "\", " + textConfig.describe());
            }
        }
        return 0;
    }

    /** codes.safetensors, samples.npz and grid.png to --out, and what it took. */
    private void write(Generated g, DiT.Config c, String codeSampler) {
        Path out = output.path;
        g.codes().write(out.resolve("codes.safetensors"));
        g.conditioned().write(out, g.images(), c);
        System.out.printf(Locale.ROOT, "%d codes in %.1f s (%s), %d images in %.1f s (%s)%nwrote %s, %s and %s%n", n, g.codeSeconds(),
                codeSampler, n, g.ditSeconds(), ditOptions.describe(), out.resolve("grid.png"), out.resolve(Images.SAMPLES_NPZ),
                out.resolve("codes.safetensors"));
    }
}
