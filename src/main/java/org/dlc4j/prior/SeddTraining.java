package org.dlc4j.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.data.BatchSampler;
import org.dlc4j.data.DlcFile;
import org.dlc4j.diffusion.discrete.Absorbing;
import org.dlc4j.diffusion.discrete.LogLinearNoise;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.nn.AdamW;
import org.dlc4j.nn.HeldoutBound;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Trainer;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * Trains the SEDD prior over codes as the reference's {@code sedd/train.py}: t ~ U[ε_s, 1] per code, forward corruption
 * to σ̄(t), denoising score entropy on the masked positions weighted by σ̄'(t) and summed over positions, AdamW without
 * weight decay, linear warm-up then a constant rate, gradient clipping at 1, and an EMA of the weights (the model that
 * samples), with the reference's (1 + n)/(10 + n) warm-up.
 */
public final class SeddTraining {
    public static final String KIND = "sedd-prior";
    /** The loss's smallest time (reference: sampling_eps 1e-3). */
    public static final double SAMPLING_EPS = 1e-3;

    /**
     * @param warmup    linear warm-up steps (reference 2,500 of 1.5M; here a tenth of an epoch-scale run)
     * @param emaDecay  reference 0.9999 averages over ~10⁴ steps, longer than a run here; 0.999 suits a few thousand
     * @param evalEvery held-out bits per token every this many steps (0: only at the end)
     */
    public record Config(Sedd.Config model, int epochs, int batch, double lr, long warmup, double gradClip, double emaDecay,
                         long checkpointEvery, long evalEvery, long seed) {
        public static Config fmnist(Sedd.Config model, long seed) {
            return new Config(model, 20, 128, 3e-4, 500, 1.0, 0.999, 200, 0, seed);
        }

        public static Config tiny(Sedd.Config model, long seed) {
            return new Config(model, 1, 8, 1e-3, 2, 1.0, 0.9, 0, 0, seed);
        }

        public Config with(int epochs, int batch, double lr) {
            return new Config(model, epochs, batch, lr, warmup, gradClip, emaDecay, checkpointEvery, evalEvery, seed);
        }

        public Config withEpochs(int epochs) {
            return with(epochs, batch, lr);
        }

        public Config withSchedule(long warmup, long checkpointEvery, long evalEvery) {
            return new Config(model, epochs, batch, lr, warmup, gradClip, emaDecay, checkpointEvery, evalEvery, seed);
        }
    }

    /** What a run reports; heldoutBits is NaN without held-out codes. */
    public record Result(long steps, long totalSteps, double trainSeconds, double tokensPerSecond, double finalLoss, double heldoutBits) {
        public boolean finished() {
            return steps >= totalSteps;
        }
    }

    private static final Gson GSON = org.dlc4j.io.Json.GSON; // strict JSON: non-finite numbers as null

    private SeddTraining() {}

    /**
     * Trains on {@code codes} (resuming from {@code checkpoint} when asked) until {@code until} or the end; at the end
     * writes the EMA weights to {@code output}. {@code heldout} codes (may be null) give the bits per token.
     */
    public static Result train(NDManager manager, Config c, DlcFile codes, DlcFile heldout, Path checkpoint, boolean resume, Path output,
                               long until) {
        return train(manager, c, codes, heldout, checkpoint, resume, output, until, null);
    }

    /**
     * As {@link #train(NDManager, Config, DlcFile, DlcFile, Path, boolean, Path, long)}, warm-started from the trained
     * prior {@code init} (null: a fresh initialisation) when there is no checkpoint to resume ({@link Trainer#warmStart}).
     */
    public static Result train(NDManager manager, Config c, DlcFile codes, DlcFile heldout, Path checkpoint, boolean resume, Path output,
                               long until, Path init) {
        Sedd.Config mc = c.model();
        check(mc, codes, "training");
        if (heldout != null) {
            check(mc, heldout, "held-out");
        }
        long stepsPerEpoch = codes.count() / c.batch();
        long steps = stepsPerEpoch * c.epochs();
        if (steps < 1) {
            throw new InvalidInputException(codes.count() + " codes make no batch of " + c.batch());
        }
        Absorbing graph = new Absorbing(mc.vocab());
        LogLinearNoise noise = LogLinearNoise.SEDD;
        var tc = new Trainer.Config(steps, c.lr(), c.warmup(), new AdamW.Config(0.9, 0.999, 1e-8, 0.0), c.gradClip(), c.emaDecay(),
                c.checkpointEvery()).withEmaWarmup();
        Checkpoint.Meta meta = Checkpoint.Meta.current(KIND, GSON.toJson(mc), 0, codes.source(), c.seed(),
                Map.of("training", GSON.toJson(c), TrainedPrior.ENCODER_SHA, codes.encoderSha()));
        try (Params params = new Params(manager)) {
            Sedd model = new Sedd(params, mc, new Rng(c.seed()));
            Trainer.warmStart(params, init, KIND, meta.configJson(), checkpoint, resume);
            try (Trainer trainer = new Trainer(params, tc, c.seed() + 1)) {
                if (resume && trainer.resumeIfPresent(checkpoint, KIND, meta.configJson())) {
                    Listener.current().message(String.format(Locale.ROOT, "resumed at step %d from %s", trainer.step(), checkpoint));
                }
                BatchSampler sampler = BatchSampler.resumeAt(codes.count(), c.batch(), true, c.seed() + 2, trainer.step());
                int l = mc.length();
                Trainer.LossFn loss = (mgr, rng, step) -> {
                    int[] idx = sampler.next();
                    int[] clean = new int[idx.length * l];
                    for (int i = 0; i < idx.length; i++) {
                        System.arraycopy(codes.tokens(), idx[i] * l, clean, i * l, l);
                    }
                    return sequenceLoss(model, graph, noise, mgr, clean, idx.length, rng, rng).mean();
                };
                double[] bits = {Double.NaN};
                long every = c.evalEvery() > 0 ? c.evalEvery() : Math.min(until, steps);
                trainer.run(loss, checkpoint, meta, "sedd", until, every, () -> {
                    if (heldout != null && (trainer.step() % every == 0 || trainer.step() == steps)) {
                        bits[0] = heldoutBits(manager, trainer.emaWeights(), mc, heldout, 2000);
                        Listener.current().message(String.format(Locale.ROOT, "step %d: held-out DSE bound %.4f bits per token (uniform: %.4f)", trainer.step(), bits[0],
                                Math.log(mc.vocab()) / Math.log(2)));
                    }
                });
                double seconds = trainer.trainSeconds();
                Result result = new Result(trainer.step(), trainer.endedEarly() ? trainer.step() : steps, seconds, trainer.step() * (double) c.batch() * l / Math.max(seconds, 1e-9),
                        trainer.lastLoss(), bits[0]);
                if (trainer.step() >= steps || trainer.endedEarly()) {
                    Map<String, String> extra = new LinkedHashMap<>();
                    extra.put("training", GSON.toJson(c));
                    extra.put("train_seconds", String.format(Locale.ROOT, "%.0f", seconds));
                    extra.put("final_loss", Double.toString(trainer.lastLoss()));
                    extra.put(TrainedPrior.HELDOUT_BITS, Double.toString(bits[0]));
                    extra.put(TrainedPrior.ENCODER_SHA, codes.encoderSha());
                    new Checkpoint(Checkpoint.Meta.current(KIND, GSON.toJson(mc), trainer.step(), codes.source(), c.seed(), extra),
                            trainer.emaWeights().toHost("")).save(output);
                }
                return result;
            }
        }
    }

    /**
     * The score-entropy loss of each of {@code count} clean codes: draws t, corrupts, and returns Σᵢ σ̄'(t)·ℓᵢ [count],
     * in nats; its expectation over t is SEDD's bound on −log p(code).
     *
     * @param dropoutRng null for evaluation
     */
    static NDArray sequenceLoss(Sedd model, Absorbing graph, LogLinearNoise noise, NDManager m, int[] clean, int count, Rng rng,
                                Rng dropoutRng) {
        double[] t = new double[count];
        for (int i = 0; i < count; i++) {
            t[i] = (1 - SAMPLING_EPS) * rng.nextDouble() + SAMPLING_EPS;
        }
        return sequenceLoss(model, graph, noise, m, clean, t, rng, dropoutRng);
    }

    static NDArray sequenceLoss(Sedd model, Absorbing graph, LogLinearNoise noise, NDManager m, int[] clean, double[] t, Rng rng,
                                Rng dropoutRng) {
        int count = t.length;
        int l = clean.length / count;
        int[] noisy = new int[clean.length];
        for (int i = 0; i < count; i++) {
            int[] one = graph.corrupt(java.util.Arrays.copyOfRange(clean, i * l, (i + 1) * l), noise.total(t[i]), rng);
            System.arraycopy(one, 0, noisy, i * l, l);
        }
        return sequenceLoss(model, graph, noise, m, clean, noisy, t, dropoutRng);
    }

    /**
     * The loss of {@code noisy}, the clean codes already corrupted at times t (the reference's {@code loss_fn} given
     * {@code t} and {@code perturbed_batch}; the parity test's seam): Σᵢ σ̄'(t)·ℓᵢ per code [count].
     */
    public static NDArray sequenceLoss(Sedd model, Absorbing graph, LogLinearNoise noise, NDManager m, int[] clean, int[] noisy,
                                       double[] t, Rng dropoutRng) {
        int count = t.length;
        double[] sigma = new double[count];
        float[] rate = new float[count];
        for (int i = 0; i < count; i++) {
            sigma[i] = noise.total(t[i]);
            rate[i] = (float) noise.rate(t[i]);
        }
        NDArray logScore = model.forward(m, noisy, sigma, dropoutRng);
        return graph.scoreEntropy(logScore, noisy, clean, sigma).sum(new int[] {1}).mul(m.create(rate, new Shape(count)));
    }

    /**
     * SEDD's likelihood bound on held-out codes in bits per token: the score-entropy loss averaged over 8 stratified
     * times per code, with fixed draws so that successive evaluations are comparable. Uniform codes score log₂ V.
     */
    public static double heldoutBits(NDManager manager, Params weights, Sedd.Config mc, DlcFile heldout, int limit) {
        int n = Math.min(limit, heldout.count());
        int l = mc.length();
        Absorbing graph = new Absorbing(mc.vocab());
        try (Params p = new Params(manager)) {
            Sedd model = new Sedd(p, mc, new Rng(0));
            p.assign(weights);
            double nats = HeldoutBound.mean(n, 8, 256, (start, count, u, rng) -> {
                double[] t = new double[count];
                for (int i = 0; i < count; i++) {
                    t[i] = SAMPLING_EPS + (1 - SAMPLING_EPS) * u[i];
                }
                int[] clean = java.util.Arrays.copyOfRange(heldout.tokens(), start * l, (start + count) * l);
                return sequenceLoss(model, graph, LogLinearNoise.SEDD, manager, clean, t, rng, null).sum().getFloat();
            });
            return nats / l / Math.log(2);
        }
    }

    /** Checks that a DLC file is codes of the model's L×V. */
    public static void check(Sedd.Config mc, DlcFile codes, String what) {
        if (codes.length() != mc.length() || codes.vocab() != mc.vocab()) {
            throw new InvalidInputException("the " + what + " codes are " + codes.length() + "×" + codes.vocab() + " but the prior models "
                    + mc.length() + "×" + mc.vocab() + ": use codes of the same encoder");
        }
    }
}
