package org.dlc4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
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
import org.dlc4j.util.Rng;
import org.dlc4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc generate}: unconditional generation end to end, a code from the SEDD prior, then an image from the DLC DiT. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate images unconditionally: codes from the SEDD prior, then images from the DLC-conditioned DiT (grid, samples.npz, codes).")
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

    @Mixin
    DitCommand.SamplerOptions ditOptions;

    @Option(names = "--scale", defaultValue = "1.0", description = "DiT classifier-free guidance scale; 1 is none (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--t-max", description = "Guide only at DiT timesteps ≤ this (default: every step).")
    Integer tMax;

    @Option(names = "--batch", defaultValue = "100", description = "Images or codes per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--out", defaultValue = "out/generate", description = "Output folder: grid.png, samples.npz, codes.safetensors (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        if (n < 1 || batch < 1) {
            throw new UserException("--n and --batch must be at least 1");
        }
        if (!(scale >= 0)) {
            throw new UserException("--scale must be ≥ 0 (1 turns guidance off), not " + scale);
        }
        var priorConfig = priorOptions.config();
        var options = new DitSampling.Options(ditOptions.config(), scale, tMax != null ? tMax : Integer.MAX_VALUE, batch);
        try (NDManager manager = common.newManager(); Models models = Models.load(manager, priorPath, ditPath)) {
            Generated g = models.generate(manager, n, priorConfig, batch, options, common.seed);
            g.codes().write(out.resolve("codes.safetensors"));
            DitCommand.writeSamples(out, g.conditioned(), g.images(), models.dit().model().config());
            System.out.printf(Locale.ROOT, "%d codes in %.1f s (%s), %d images in %.1f s (%s steps, scale %.2f)%nwrote %s, %s and %s%n", n,
                    g.priorSeconds(), priorConfig.describe(), n, g.ditSeconds(), ditOptions.describe(), scale, out.resolve("grid.png"),
                    out.resolve(Images.SAMPLES_NPZ), out.resolve("codes.safetensors"));
        }
        return 0;
    }

    /** Codes drawn from the prior, the conditions they make, and the images the DiT drew from them, with the time of each stage. */
    record Generated(DlcFile codes, DitCommand.Conditioned conditioned, float[] images, double priorSeconds, double ditSeconds) {
    }

    /** A prior and a DLC-conditioned DiT, checked to speak the same codes: the two halves of unconditional generation. */
    record Models(TrainedPrior prior, TrainedDit dit) implements AutoCloseable {
        /** Loads both (null paths: the shipped models) and refuses a pair whose codes differ in kind, L×V or encoder. */
        static Models load(NDManager manager, Path priorPath, Path ditPath) {
            Path ditModel = ditPath != null ? ditPath : DitCommand.defaultModel("dlc");
            if (!Files.exists(ditModel)) {
                throw new UserException("DiT model " + ditModel + " not found: train one with dlc dit train --cond dlc or pass --dit");
            }
            TrainedPrior prior = PriorCommand.load(manager, priorPath);
            TrainedDit dit = TrainedDit.load(manager, ditModel);
            Models models = new Models(prior, dit);
            try {
                DiT.Config c = dit.model().config();
                Sedd.Config pc = prior.model().config();
                if (c.conditioning() != Conditioning.DLC) {
                    throw new UserException(ditModel + " is not DLC-conditioned (it is " + c.conditioning().name().toLowerCase(Locale.ROOT)
                            + "): pass a DiT trained with --cond dlc");
                }
                if (pc.length() != c.length() || pc.vocab() != c.vocab()) {
                    throw new UserException("the prior writes " + pc.length() + "×" + pc.vocab() + " codes but the DiT reads " + c.length() + "×"
                            + c.vocab() + ": use a prior and a DiT trained on the same encoder's codes");
                }
                DitCommand.Conditioned.checkEncoder(dit, prior.encoderSha(), "the prior's codes");
                return models;
            } catch (RuntimeException e) {
                models.close();
                throw e;
            }
        }

        /** n codes from the prior (seed), then one image per code from the DiT (seed + 1). */
        Generated generate(NDManager manager, int n, PriorSampler.Config priorConfig, int priorBatch, DitSampling.Options options, long seed) {
            long start = System.nanoTime();
            DlcFile codes = PriorCommand.sampleCodes(prior, n, priorConfig, priorBatch, seed);
            double priorSeconds = (System.nanoTime() - start) / 1e9;
            var conditioned = DitCommand.Conditioned.ofCodes(dit, codes, n);
            start = System.nanoTime();
            float[] images = DitSampling.sample(manager, dit.model(), conditioned.condition(), options, new Rng(seed + 1));
            return new Generated(codes, conditioned, images, priorSeconds, (System.nanoTime() - start) / 1e9);
        }

        @Override
        public void close() {
            prior.close();
            dit.close();
        }
    }
}
