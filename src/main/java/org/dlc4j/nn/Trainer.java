package org.dlc4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.ModelMismatchException;
import org.dlc4j.util.Rng;

/**
 * The training loop every model shares: forward in grad mode, backward, global-norm clipping, AdamW with
 * warm-up, EMA, and checkpoints holding everything needed to continue exactly (weights, EMA, optimizer
 * moments, RNG state, step).
 */
public final class Trainer implements AutoCloseable {
    /**
     * Optimisation settings of one run.
     *
     * @param minLr    NaN for a constant rate after warm-up, else the end of a cosine decay
     * @param emaFinal NaN for a constant EMA decay, else the decay reached at the last step on a cosine rise from
     *                 {@code emaDecay} (DINO's teacher momentum 0.992 → 1)
     * @param emaWarmup cap the decay at (1 + step) / (10 + step), so that a short run's average does not keep a
     *                  large share of its random initialisation (0.999⁹⁴⁰ ≈ 0.39 after an epoch of Fashion-MNIST)
     */
    public record Config(long steps, double lr, long warmupSteps, AdamW.Config adam, double gradClip, double emaDecay, long checkpointEvery,
                         double minLr, double emaFinal, boolean emaWarmup) {
        public Config(long steps, double lr, long warmupSteps, AdamW.Config adam, double gradClip, double emaDecay, long checkpointEvery) {
            this(steps, lr, warmupSteps, adam, gradClip, emaDecay, checkpointEvery, Double.NaN, Double.NaN, false);
        }

        public Config withCosineLr(double minLr) {
            return new Config(steps, lr, warmupSteps, adam, gradClip, emaDecay, checkpointEvery, minLr, emaFinal, emaWarmup);
        }

        public Config withEmaRisingTo(double emaFinal) {
            return new Config(steps, lr, warmupSteps, adam, gradClip, emaDecay, checkpointEvery, minLr, emaFinal, emaWarmup);
        }

        public Config withEmaWarmup() {
            return new Config(steps, lr, warmupSteps, adam, gradClip, emaDecay, checkpointEvery, minLr, emaFinal, true);
        }

        public LrSchedule lrSchedule() {
            return new LrSchedule(lr, warmupSteps, steps, minLr);
        }

        /** The EMA decay applied after optimizer step {@code step}. */
        public double emaAt(long step) {
            double decay = Double.isNaN(emaFinal) || steps <= 1 ? emaDecay
                    : emaFinal - (emaFinal - emaDecay) * (Math.cos(Math.PI * step / (double) (steps - 1)) + 1) / 2;
            return emaWarmup ? Math.min(decay, (1.0 + step) / (10.0 + step)) : decay;
        }
    }

    /** Builds the scalar loss of one step; called in grad mode, inside a scope that frees its temporaries. */
    @FunctionalInterface
    public interface LossFn {
        NDArray loss(NDManager manager, Rng rng, long step);
    }

    /** Prefix of the EMA weights in a training checkpoint. */
    public static final String EMA = "ema.";
    private static final String ADAM = "adamw.";
    private static final String STATE = "state.";

    private final Params params;
    private final Config config;
    private final AdamW adam;
    private final Ema ema;
    private final Rng rng;
    private final LrSchedule lrSchedule;
    private final LinkedHashMap<String, NDArray> tracked = new LinkedHashMap<>();
    private long step;
    private double lastLoss = Double.NaN;
    private double trainSeconds; // wall time spent in trainStep, summed over resumed runs
    private long skippedSteps;
    private int consecutiveSkips;
    private boolean endedEarly;
    private static final int MAX_CONSECUTIVE_SKIPS = 20;

    public Trainer(Params params, Config config, long seed) {
        this(params, config, seed, null);
    }

    /**
     * @param emaTarget weights (same names and shapes) that the EMA is kept in, e.g. a DINO teacher's own
     *                  parameters; null for a private copy
     */
    public Trainer(Params params, Config config, long seed, Params emaTarget) {
        this.params = params;
        this.config = config;
        this.adam = new AdamW(params, config.adam());
        this.ema = emaTarget == null ? new Ema(params) : new Ema(params, emaTarget);
        this.rng = new Rng(seed);
        this.lrSchedule = config.lrSchedule();
    }

    /**
     * Saves {@code buffer}, a non-trained state tensor (DINO's centre, say), in every checkpoint as
     * {@code state.<name>} and restores it in place on resume.
     */
    public void track(String name, NDArray buffer) {
        tracked.put(name, buffer);
    }

    public long step() {
        return step;
    }

    /** Whether the listener ended the run before its planned length ({@link Listener#stopRequested}): it counts as finished. */
    public boolean endedEarly() {
        return endedEarly;
    }

    /** Steps whose loss or gradient was not finite and were therefore not applied. */
    public long skippedSteps() {
        return skippedSteps;
    }

    public double lastLoss() {
        return lastLoss;
    }

    /** Wall-clock seconds spent training this model, including the runs it was resumed from. */
    public double trainSeconds() {
        return trainSeconds;
    }

    public Params emaWeights() {
        return ema.weights();
    }

    /**
     * One optimisation step; returns the loss before the update. A step whose loss or gradient is not finite
     * is skipped, as fp16 training with a gradient scaler (the reference's DiT recipe) skips it; a run that
     * keeps producing them stops with a message.
     */
    public double trainStep(LossFn lossFn) {
        long start = System.nanoTime();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = lossFn.loss(params.manager(), rng, step);
                gc.backward(l);
                loss = l.getFloat();
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            params.all().forEach((name, p) -> grads.put(name, p.getGradient()));
            double norm = GradClip.clipGlobalNorm(grads, config.gradClip());
            boolean finite = Double.isFinite(loss) && Double.isFinite(norm);
            if (finite) {
                adam.step(params, grads, lrSchedule.at(step));
                ema.update(params, config.emaAt(step));
                consecutiveSkips = 0;
            } else {
                skippedSteps++;
                // Say which value broke and where: a skip is rare and worth knowing about (see Scalar for the one found so far).
                String broken = grads.entrySet().stream().filter(e -> !Double.isFinite(e.getValue().square().sum().getFloat()))
                        .map(Map.Entry::getKey).limit(4).collect(java.util.stream.Collectors.joining(", "));
                Listener.current().message(String.format(Locale.ROOT, "step %d skipped: loss %s, gradient norm %s (%s)", step + 1, loss, norm, broken));
                if (++consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
                    throw new InvalidInputException("training diverged: loss " + loss + ", gradient norm " + norm + " for " + consecutiveSkips
                            + " steps in a row at step " + step + "; lower the learning rate or resume from an earlier checkpoint");
                }
            }
            // DJL accumulates gradients until they are zeroed; NaN survives subtraction, so it is filled with 0 in place.
            // Never NDArray.set(float[]) here: it makes the tensor alias a buffer owned by this short-lived wrapper,
            // and the gradient then points at freed memory (measured: heap corruption a few steps after a skip).
            grads.values().forEach(g -> {
                if (finite) {
                    g.subi(g);
                } else {
                    g.set(new NDIndex("..."), 0f);
                }
            });
            step++;
            lastLoss = loss;
            trainSeconds += (System.nanoTime() - start) / 1e9;
            return loss;
        }
    }

    /**
     * Trains until {@code config.steps()}, writing {@code checkpoint} every {@code checkpointEvery} steps and at
     * the end, so a killed run loses at most one interval.
     */
    public void run(LossFn lossFn, Path checkpoint, Checkpoint.Meta meta, String label) {
        run(lossFn, checkpoint, meta, label, config.steps());
    }

    /**
     * As {@link #run(LossFn, Path, Checkpoint.Meta, String)} but stops at step {@code until} (at most the configured
     * steps), checkpointed, so a long run can be split across sessions and continued exactly with a resume.
     */
    public void run(LossFn lossFn, Path checkpoint, Checkpoint.Meta meta, String label, long until) {
        GradMode.off(); // recording is on only inside each step's gradient collector, whichever thread trains
        long end = Math.min(until, config.steps());
        Listener listener = Listener.current();
        try {
            while (step < end) {
                double loss = trainStep(lossFn);
                if (checkpoint != null && config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0 && step < end) {
                    save(checkpoint, meta);
                }
                listener.progress(label, step, config.steps(), String.format(Locale.ROOT, "loss %.4f", loss)
                        + (skippedSteps > 0 ? " skipped " + skippedSteps : ""));
                if (listener.stopRequested()) {
                    endedEarly = true;
                    break;
                }
            }
        } finally {
            listener.done(label);
        }
        if (checkpoint != null) {
            save(checkpoint, meta);
        }
    }

    /**
     * As {@link #run(LossFn, Path, Checkpoint.Meta, String, long)}, stopping every {@code every} steps (0: only at the
     * end) to call {@code afterSegment}, e.g. to write an EMA snapshot or measure held-out loss; the run itself is the
     * same as without the stops.
     */
    public void run(LossFn lossFn, Path checkpoint, Checkpoint.Meta meta, String label, long until, long every, Runnable afterSegment) {
        long end = Math.min(until, config.steps());
        long segment = every > 0 ? every : Math.max(end, 1);
        while (step < end && !endedEarly) {
            run(lossFn, checkpoint, meta, label, Math.min(end, (step / segment + 1) * segment));
            afterSegment.run();
        }
    }

    public void save(Path path, Checkpoint.Meta meta) {
        toCheckpoint(meta).save(path);
    }

    public Checkpoint toCheckpoint(Checkpoint.Meta meta) {
        LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>(params.toHost(""));
        tensors.putAll(ema.weights().toHost(EMA));
        tensors.putAll(adam.state(ADAM));
        tracked.forEach((name, a) -> tensors.put(STATE + name, HostTensor.ofFloats(a.getShape().getShape(), a.toFloatArray())));
        Map<String, String> extra = new LinkedHashMap<>(meta.extra());
        extra.put("rng", Long.toString(rng.state()));
        extra.put("adamw_t", Long.toString(adam.stepCount()));
        extra.put("loss", Double.toString(lastLoss));
        extra.put("train_seconds", Double.toString(trainSeconds));
        extra.put("skipped_steps", Long.toString(skippedSteps));
        return new Checkpoint(new Checkpoint.Meta(meta.kind(), meta.configJson(), step, meta.dataset(), meta.seed(), meta.commit(), meta.command(), extra), tensors);
    }

    /** Continues from a checkpoint written by {@link #save}: weights, EMA, optimizer, RNG and step. */
    public void restore(Checkpoint ckpt, Path source) {
        Map<String, HostTensor> t = ckpt.tensors();
        params.load(t, "", source);
        ema.weights().load(t, EMA, source);
        String rngState = ckpt.meta().extra().get("rng");
        String adamT = ckpt.meta().extra().get("adamw_t");
        if (rngState == null || adamT == null) {
            throw new InvalidInputException(source + " holds weights only, not a training state: it cannot be resumed (start a new run)");
        }
        adam.loadState(t, ADAM, Long.parseLong(adamT), source);
        tracked.forEach((name, a) -> a.set(ckpt.tensor(STATE + name, source).floats()));
        rng.setState(Long.parseLong(rngState));
        step = ckpt.meta().step();
        lastLoss = Double.parseDouble(ckpt.meta().extra().getOrDefault("loss", "NaN"));
        trainSeconds = Double.parseDouble(ckpt.meta().extra().getOrDefault("train_seconds", "0"));
        skippedSteps = Long.parseLong(ckpt.meta().extra().getOrDefault("skipped_steps", "0"));
    }

    /**
     * Warm-starts {@code params} from the weights of the trained model {@code init} (null: keep the fresh initialisation)
     * unless {@code resume} finds a checkpoint to continue: for a machine that lost its checkpoints, where the shipped
     * model is the durable state. Call it before the trainer is built, whose EMA starts as a copy of these weights; the
     * optimiser, the step count and the schedule start afresh, so this is not an exact resume, and the run says so.
     */
    public static void warmStart(Params params, Path init, String kind, String configJson, Path checkpoint, boolean resume) {
        if (init == null || resume && Files.exists(checkpoint)) {
            return;
        }
        requireWarmStart(init, "init");
        Checkpoint start = Checkpoint.load(init, kind);
        if (!start.meta().configJson().equals(configJson)) {
            throw new ModelMismatchException(init + " is another model (" + start.meta().configJson() + ", this run trains " + configJson
                    + "): warm-start from a model of the same configuration");
        }
        params.load(start.tensors(), "", init);
        Listener.current().message("warm-started from " + init + " (its weights and EMA; the optimiser and step count start afresh)");
    }

    /**
     * Refuses a named warm-start model that does not exist (null: none asked for), naming the {@code parameter} that gave
     * it. The command line and the chain call it before any work, so that a typo does not surface only after the data
     * are loaded or encoded.
     */
    public static void requireWarmStart(Path model, String parameter) {
        if (model != null && !Files.exists(model)) {
            throw InvalidInputException.of(parameter, "warm-start model " + model + " not found");
        }
    }

    /**
     * Resumes from {@code path} if it exists and returns whether it did, refusing a checkpoint whose model configuration
     * differs from {@code configJson}: parameters of the same shapes would otherwise load silently into a different model
     * (a changed default, such as the DiT's code pooling, is enough).
     */
    public boolean resumeIfPresent(Path path, String kind, String configJson) {
        if (!Files.exists(path)) {
            return false;
        }
        Checkpoint ckpt = Checkpoint.load(path);
        ckpt.requireKind(kind, path);
        if (!ckpt.meta().configJson().equals(configJson)) {
            throw new ModelMismatchException(path + " was written for another model (" + ckpt.meta().configJson() + ", now " + configJson
                    + "): resume with the flags that started it, or move that checkpoint aside to start afresh");
        }
        restore(ckpt, path);
        return true;
    }

    @Override
    public void close() {
        adam.close();
        ema.close();
    }
}
