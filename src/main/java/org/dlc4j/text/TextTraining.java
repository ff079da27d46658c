package org.dlc4j.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.data.BatchSampler;
import org.dlc4j.data.DlcFile;
import org.dlc4j.diffusion.discrete.MaskedDiffusion;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.nn.AdamW;
import org.dlc4j.nn.HeldoutBound;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Trainer;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * Trains the text-to-DLC model with LLaDA's objective ({@link MaskedDiffusion}) on the training codes, each paired at
 * every step with a training caption of its class drawn afresh; the caption is dropped with probability
 * {@code dropCaption} (so guidance is possible) and, with {@code maskCaption}, each caption token is also masked at the
 * code's rate (the reference masks text and code jointly). AdamW with warm-up, clipping and an EMA, as the prior.
 */
public final class TextTraining {
    public static final String KIND = "text-to-dlc";

    public record Config(TextToDlc.Config model, int epochs, int batch, double lr, long warmup, double gradClip, double emaDecay,
                         double dropCaption, boolean maskCaption, long checkpointEvery, long evalEvery, long seed) {
        public static Config fmnist(TextToDlc.Config model, long seed) {
            return new Config(model, 10, 128, 3e-4, 500, 1.0, 0.999, 0.1, false, 200, 0, seed);
        }

        public static Config tiny(TextToDlc.Config model, long seed) {
            return new Config(model, 1, 8, 1e-3, 2, 1.0, 0.9, 0.1, false, 0, 0, seed);
        }

        public Config with(int epochs, int batch, double lr, long warmup, boolean maskCaption, long evalEvery) {
            return new Config(model, epochs, batch, lr, warmup, gradClip, emaDecay, dropCaption, maskCaption, checkpointEvery, evalEvery, seed);
        }
    }

    /** Training and held-out codes, where their captions come from, and the captions encoded once. */
    public record Data(DlcFile codes, DlcFile heldout, CaptionSource captions, CaptionBank bank, String textEncoderSha) {
    }

    public record Result(long steps, long totalSteps, double trainSeconds, double codesPerSecond, double finalLoss, double heldoutBits) {
        public boolean finished() {
            return steps >= totalSteps;
        }
    }

    private static final Gson GSON = org.dlc4j.io.Json.GSON; // strict JSON: non-finite numbers as null

    private TextTraining() {}

    public static Result train(NDManager manager, Config c, Data d, Path checkpoint, boolean resume, Path output, long until) {
        return train(manager, c, d, checkpoint, resume, output, until, null);
    }

    /**
     * As {@link #train(NDManager, Config, Data, Path, boolean, Path, long)}, warm-started from the trained text model
     * {@code init} (null: a fresh initialisation) when there is no checkpoint to resume ({@link Trainer#warmStart}).
     */
    public static Result train(NDManager manager, Config c, Data d, Path checkpoint, boolean resume, Path output, long until, Path init) {
        TextToDlc.Config mc = c.model();
        check(mc, d.codes(), "training");
        d.captions().check(d.codes(), false);
        if (d.heldout() != null) {
            check(mc, d.heldout(), "held-out");
            d.captions().check(d.heldout(), true);
        }
        long steps = (long) d.codes().count() / c.batch() * c.epochs();
        if (steps < 1) {
            throw new InvalidInputException(d.codes().count() + " codes make no batch of " + c.batch());
        }
        var tc = new Trainer.Config(steps, c.lr(), c.warmup(), new AdamW.Config(0.9, 0.999, 1e-8, 0.0), c.gradClip(), c.emaDecay(),
                c.checkpointEvery()).withEmaWarmup();
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("training", GSON.toJson(c));
        extra.put(TrainedText.ENCODER_SHA, d.codes().encoderSha());
        extra.put(TrainedText.TEXT_ENCODER_SHA, d.textEncoderSha());
        Checkpoint.Meta meta = Checkpoint.Meta.current(KIND, GSON.toJson(mc), 0, d.codes().source(), c.seed(), extra);
        try (Params params = new Params(manager)) {
            TextToDlc model = new TextToDlc(params, mc, new Rng(c.seed()));
            Trainer.warmStart(params, init, KIND, meta.configJson(), checkpoint, resume);
            try (Trainer trainer = new Trainer(params, tc, c.seed() + 1)) {
                if (resume && trainer.resumeIfPresent(checkpoint, KIND, meta.configJson())) {
                    Listener.current().message(String.format(Locale.ROOT, "resumed at step %d from %s", trainer.step(), checkpoint));
                }
                BatchSampler sampler = BatchSampler.resumeAt(d.codes().count(), c.batch(), true, c.seed() + 2, trainer.step());
                int l = mc.length();
                Trainer.LossFn loss = (mgr, rng, step) -> {
                    int[] idx = sampler.next();
                    int[] clean = new int[idx.length * l];
                    for (int i = 0; i < idx.length; i++) {
                        System.arraycopy(d.codes().tokens(), idx[i] * l, clean, i * l, l);
                    }
                    boolean[] dropped = new boolean[idx.length];
                    for (int i = 0; i < dropped.length; i++) {
                        dropped[i] = rng.nextDouble() < c.dropCaption();
                    }
                    TextEncoder.Encoded text = d.bank().batch(d.captions().pick(d.codes(), idx, false, rng), dropped);
                    return codeLoss(model, mgr, clean, text, c.maskCaption(), randomTimes(idx.length, rng), rng).mean();
                };
                double[] bits = {Double.NaN};
                long every = c.evalEvery() > 0 ? c.evalEvery() : Math.min(until, steps);
                trainer.run(loss, checkpoint, meta, "text", until, every, () -> {
                    if (d.heldout() != null && (trainer.step() % every == 0 || trainer.step() == steps)) {
                        bits[0] = heldoutBits(manager, trainer.emaWeights(), mc, d, 2000);
                        Listener.current().message(String.format(Locale.ROOT, "step %d: held-out bound %.4f bits per token with held-out captions (uniform: %.4f)",
                                trainer.step(), bits[0], Math.log(mc.vocab()) / Math.log(2)));
                    }
                });
                double seconds = trainer.trainSeconds();
                Result result = new Result(trainer.step(), trainer.endedEarly() ? trainer.step() : steps, seconds, trainer.step() * (double) c.batch() / Math.max(seconds, 1e-9),
                        trainer.lastLoss(), bits[0]);
                if (trainer.step() >= steps || trainer.endedEarly()) {
                    extra.put("train_seconds", String.format(Locale.ROOT, "%.0f", seconds));
                    extra.put("final_loss", Double.toString(trainer.lastLoss()));
                    extra.put(TrainedText.HELDOUT_BITS, Double.toString(bits[0]));
                    new Checkpoint(Checkpoint.Meta.current(KIND, GSON.toJson(mc), trainer.step(), d.codes().source(), c.seed(), extra),
                            trainer.emaWeights().toHost("")).save(output);
                }
                return result;
            }
        }
    }

    private static double[] randomTimes(int n, Rng rng) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextDouble();
        }
        return t;
    }

    /** The objective of each code [B] at times t: corrupt (and mask caption tokens at the same rate if asked), predict, weigh. */
    static NDArray codeLoss(TextToDlc model, NDManager m, int[] clean, TextEncoder.Encoded text, boolean maskCaption, double[] t, Rng rng) {
        int l = model.config().length();
        double[] p = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            p[i] = MaskedDiffusion.maskRate(t[i]);
        }
        int[] noisy = new int[clean.length];
        float[] w = MaskedDiffusion.corrupt(clean, l, model.config().vocab(), p, noisy, rng);
        boolean[] textMasked = null;
        if (maskCaption) {
            textMasked = new boolean[text.count() * text.tokens()];
            for (int j = 0; j < textMasked.length; j++) {
                textMasked[j] = text.mask()[j] && rng.nextDouble() < p[j / text.tokens()];
            }
        }
        return MaskedDiffusion.loss(m, model.forward(m, noisy, text, textMasked), clean, w, l);
    }

    /**
     * The objective on held-out codes, each with a held-out caption of its class, in bits per token: 8 stratified times
     * per code and fixed draws, so successive evaluations compare. A bound on −log₂ p(code | caption) / L.
     */
    public static double heldoutBits(NDManager manager, Params weights, TextToDlc.Config mc, Data d, int limit) {
        DlcFile heldout = d.heldout();
        int n = Math.min(limit, heldout.count());
        int l = mc.length();
        try (Params p = new Params(manager)) {
            TextToDlc model = new TextToDlc(p, mc, new Rng(0));
            p.assign(weights);
            double nats = HeldoutBound.mean(n, 8, 250, (start, count, u, rng) -> {
                int[] idx = java.util.stream.IntStream.range(start, start + count).toArray();
                TextEncoder.Encoded text = d.bank().batch(d.captions().pick(heldout, idx, true, rng), null);
                int[] clean = java.util.Arrays.copyOfRange(heldout.tokens(), start * l, (start + count) * l);
                return codeLoss(model, manager, clean, text, false, u, rng).sum().getFloat();
            });
            return nats / Math.log(2);
        }
    }

    public static void check(TextToDlc.Config mc, DlcFile codes, String what) {
        if (codes.length() != mc.length() || codes.vocab() != mc.vocab()) {
            throw new InvalidInputException("the " + what + " codes are " + codes.length() + "×" + codes.vocab() + " but the model writes "
                    + mc.length() + "×" + mc.vocab() + ": use codes of the same encoder");
        }
    }
}
