package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dlc4j.data.DlcFile;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.Images;
import org.dlc4j.prior.PriorSampler;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.text.TextToDlc;
import org.dlc4j.text.TrainedText;
import org.dlc4j.util.Rng;
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

    @Option(names = "--prior", description = "Trained prior (default: the shipped models/prior/fmnist-sedd.safetensors).")
    Path priorPath;

    @Option(names = "--dit", description = "DLC-conditioned DiT (default: the shipped models/dit/fmnist-dlc.safetensors).")
    Path ditPath;

    @Option(names = "--n", defaultValue = "64", description = "Images to generate (default: ${DEFAULT-VALUE}).")
    int n;

    @Mixin
    PriorCommand.SamplerOptions priorOptions;

    @Option(names = "--prompt", description = "Draw the codes from the text-to-DLC model for this prompt instead of from the prior.")
    String prompt;

    @Option(names = "--text-model", description = "Text-to-DLC model for --prompt (default: the shipped models/text/fmnist-t2d.safetensors).")
    Path textPath;

    @Mixin
    TextCommand.SamplerOptions textOptions;

    @Mixin
    DitCommand.GuidedOptions ditOptions;

    @Option(names = "--out", defaultValue = "out/generate", description = "Output folder: grid.png, samples.npz, codes.safetensors (default: ${DEFAULT-VALUE}).")
    Path out;

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
        try (NDManager manager = common.newManager(); Models models = Models.load(manager, priorPath, ditPath)) {
            Generated g = models.generate(manager, n, priorConfig, options.batch(), options, common.seed);
            write(g, models.dit().model().config(), priorConfig.describe());
        }
        return 0;
    }

    /** Text to image: n codes for the prompt from the text-to-DLC model (seed), then one image per code (seed + 1). */
    private Integer fromPrompt(DitSampling.Options options) {
        try (NDManager manager = common.newManager(); TrainedText text = TextCommand.load(manager, textPath)) {
            TextToDlc.Config tc = text.model().config();
            var textConfig = textOptions.config(tc.length());
            try (TrainedDit dit = dlcDit(manager, ditPath, tc.length(), tc.vocab(), text.encoderSha(), "the text model")) {
                long start = System.nanoTime();
                DlcFile codes = TextCommand.sampleCodes(text, prompt, n, textConfig, options.batch(), common.seed);
                Generated g = Generated.decode(manager, dit, codes, (System.nanoTime() - start) / 1e9, options, common.seed);
                write(g, dit.model().config(), "for \"" + prompt + "\", " + textConfig.describe());
            }
        }
        return 0;
    }

    /** codes.safetensors, samples.npz and grid.png to --out, and what it took. */
    private void write(Generated g, DiT.Config c, String codeSampler) {
        g.codes().write(out.resolve("codes.safetensors"));
        DitCommand.writeSamples(out, g.conditioned(), g.images(), c);
        System.out.printf(Locale.ROOT, "%d codes in %.1f s (%s), %d images in %.1f s (%s)%nwrote %s, %s and %s%n", n, g.codeSeconds(),
                codeSampler, n, g.ditSeconds(), ditOptions.describe(), out.resolve("grid.png"), out.resolve(Images.SAMPLES_NPZ),
                out.resolve("codes.safetensors"));
    }

    /**
     * The DLC-conditioned DiT at {@code ditPath} (null: the shipped one), refused unless it reads codes of L×V from the
     * encoder {@code encoderSha}, the codes that {@code source} writes.
     */
    static TrainedDit dlcDit(NDManager manager, Path ditPath, int length, int vocab, String encoderSha, String source) {
        TrainedDit dit = DitCommand.loadConditioned(manager, ditPath != null ? ditPath : DitCommand.defaultModel("dlc"), Conditioning.DLC, "--dit");
        try {
            DiT.Config c = dit.model().config();
            if (length != c.length() || vocab != c.vocab()) {
                throw new InvalidInputException(source + " writes " + length + "×" + vocab + " codes but the DiT reads " + c.length() + "×"
                        + c.vocab() + ": use a " + source.replace("the ", "") + " and a DiT trained on the same encoder's codes");
            }
            DitCommand.Conditioned.checkEncoder(dit, encoderSha, source + "'s codes");
            return dit;
        } catch (RuntimeException e) {
            dit.close();
            throw e;
        }
    }

    /** Codes (from the prior or the text model), the conditions they make, and the images the DiT drew from them, with the time of each stage. */
    record Generated(DlcFile codes, DitCommand.Conditioned conditioned, float[] images, double codeSeconds, double ditSeconds) {
        /** One image per code from the DiT, with seed + 1 (the codes were drawn with seed). */
        static Generated decode(NDManager manager, TrainedDit dit, DlcFile codes, double codeSeconds, DitSampling.Options options, long seed) {
            var conditioned = DitCommand.Conditioned.ofCodes(dit, codes, codes.count());
            long start = System.nanoTime();
            float[] images = DitSampling.sample(manager, dit.model(), conditioned.condition(), options, new Rng(seed + 1));
            return new Generated(codes, conditioned, images, codeSeconds, (System.nanoTime() - start) / 1e9);
        }
    }

    /** A prior and a DLC-conditioned DiT, checked to speak the same codes: the two halves of unconditional generation. */
    record Models(TrainedPrior prior, TrainedDit dit) implements AutoCloseable {
        /** Loads both (null paths: the shipped models) and refuses a pair whose codes differ in kind, L×V or encoder. */
        static Models load(NDManager manager, Path priorPath, Path ditPath) {
            TrainedPrior prior = PriorCommand.load(manager, priorPath);
            try {
                Sedd.Config pc = prior.model().config();
                return new Models(prior, dlcDit(manager, ditPath, pc.length(), pc.vocab(), prior.encoderSha(), "the prior"));
            } catch (RuntimeException e) {
                prior.close();
                throw e;
            }
        }

        /** n codes from the prior (seed), then one image per code from the DiT (seed + 1). */
        Generated generate(NDManager manager, int n, PriorSampler.Config priorConfig, int priorBatch, DitSampling.Options options, long seed) {
            long start = System.nanoTime();
            DlcFile codes = PriorCommand.sampleCodes(prior, n, priorConfig, priorBatch, seed);
            return Generated.decode(manager, dit, codes, (System.nanoTime() - start) / 1e9, options, seed);
        }

        @Override
        public void close() {
            prior.close();
            dit.close();
        }
    }
}
