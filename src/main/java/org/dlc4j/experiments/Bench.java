package org.dlc4j.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.DitTraining;
import org.dlc4j.nn.Params;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.SeddTraining;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.sem.SemTraining;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.text.TextToDlc;
import org.dlc4j.text.TrainedText;
import org.dlc4j.util.ProcessMemory;
import org.dlc4j.util.Rng;

/**
 * Throughput of every stage's hot loop, each on the project's real code path (the training functions that {@code dlc ...
 * train} runs, the samplers that {@code dlc ... sample} runs) fed with random data of the right shapes, so that what is
 * timed is what a user runs. Training is timed after warm-up steps: a run stopped at the warm-up is resumed, and the
 * trainer's own clock of the resumed steps is read. Model FLOPs are 2 per multiply-accumulate of the models' own counts
 * ({@code forwardMacs}); a training step costs three forward passes (forward, and backward's two products per weight).
 */
public final class Bench {
    /**
     * One measurement: {@code perSecond} items (images, tokens or codes) per second, {@code flopsPerItem} model FLOPs per
     * item (NaN where the model has no FLOP count), {@code seconds} the median time of one repetition; {@code key} names the
     * measurement as bench/reference.py does.
     */
    public record Measurement(String key, String name, String preset, String unit, double perSecond, double flopsPerItem, double seconds, int reps) {
        public double flopsPerSecond() {
            return perSecond * flopsPerItem;
        }
    }

    /** How much to time: training steps after warm-up steps, sampling repetitions, and the batch sizes of each stage. */
    public record Plan(int warmupSteps, int steps, int sampleReps, int ditBatch, int ditImages, int ditSteps, double guidance, int seddBatch,
                       int priorCodes, int priorSteps, int textCodes) {
        /** The sizes the shipped models train and sample at. */
        public static Plan fmnist() {
            return new Plan(3, 10, 3, 128, 100, 50, 3.0, 128, 256, 128, 250);
        }

        /** Small enough for a test; the same code paths. */
        public static Plan tiny() {
            return new Plan(1, 3, 1, 8, 4, 4, 3.0, 8, 4, 8, 4);
        }
    }

    /** The models a bench preset times: the shipped sizes ({@code fmnist}) or the test sizes ({@code tiny}). */
    public record Preset(String name, String dit, String sedd, String text, Plan plan) {
        public static final List<String> NAMES = List.of("fmnist", "tiny");

        public static Preset of(String name) {
            return switch (name) {
                case "fmnist" -> new Preset(name, "DiT-T/4", "SEDD-T", "T2D-T", Plan.fmnist());
                case "tiny" -> new Preset(name, "tiny", "tiny", "tiny", Plan.tiny());
                default -> throw new IllegalArgumentException("no bench preset '" + name + "': use one of " + NAMES);
            };
        }
    }

    /**
     * Resident memory over a training run: peak, first and last samples, and least-squares slopes per 100 steps of the RSS
     * and of the RSS outside the Java heap (RSS − committed heap): the JVM grows its heap towards -Xmx before it collects
     * hard, which raises the RSS without any leak, while tensors live outside the heap.
     */
    public record Memory(String preset, long warmupSteps, long steps, double seconds, double peakMb, double startMb, double endMb,
                         double slopeMbPer100Steps, double nativeSlopeMbPer100Steps) {}

    /** Codes of the shipped encoder's shape, L = 32 positions over V = 64 tokens. */
    public static final int LENGTH = 32;
    public static final int VOCAB = 64;

    private Bench() {}

    /** GFLOP/s of a 1024² float32 matmul: the ceiling every model step is measured against (MFU). */
    public static Measurement matmul(NDManager manager, int reps) {
        int n = 1024;
        Rng rng = new Rng(0);
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.create(rng.gaussians(n * n), new Shape(n, n));
            NDArray b = scope.create(rng.gaussians(n * n), new Shape(n, n));
            double seconds = median(Math.max(reps, 5), 2, () -> {
                long start = System.nanoTime();
                try (NDArray c = a.matMul(b); NDArray corner = c.get(0, 0)) {
                    // one element to the host waits for the product on any device; copying all 4 MB of it measured 131–170
                    // GFLOP/s against 177–180 this way, understating the peak MFU is measured against
                    corner.getFloat();
                }
                return (System.nanoTime() - start) / 1e9;
            });
            return new Measurement("matmul", "matmul 1024²", "", "GFLOP/s", 2.0 * n * n * n / seconds / 1e9, 1e9, seconds, Math.max(reps, 5));
        }
    }

    /** DiT training step with DLC conditioning at the given preset and batch: images/s. */
    public static Measurement ditTrain(NDManager manager, String preset, Plan p, Path tmp) {
        DiT.Config model = ditConfig(preset);
        var data = randomDitData((p.warmupSteps() + p.steps()) * p.ditBatch(), new Rng(1));
        var config = ditTraining(model, p.ditBatch());
        Path ck = tmp.resolve("dit.safetensors");
        Path out = tmp.resolve("dit-ema.safetensors");
        double perStep = secondsPerStep(p, (resume, until) -> DitTraining.train(manager, config, data, ck, resume, out, until).trainSeconds());
        return new Measurement("dit_train", "DiT training step", preset, "images/s", p.ditBatch() / perStep, 6.0 * model.forwardMacs(), perStep, p.steps());
    }

    /** DDIM sampling of a fresh DiT over random codes, unguided or guided (conditional and null branch in one batch): images/s. */
    public static Measurement ditSample(NDManager manager, String preset, Plan p, boolean guided) {
        DiT.Config c = ditConfig(preset);
        try (Params params = new Params(manager)) {
            DiT model = new DiT(params, c, new Rng(2));
            Condition codes = Condition.codes(randomCodes(p.ditImages(), new Rng(3)).tokens(), LENGTH);
            double scale = guided ? p.guidance() : 1.0;
            var warmup = new DitSampling.Options(new SamplerConfig("ddim", 2, 0.0, true), scale, Integer.MAX_VALUE, p.ditImages());
            DitSampling.sample(manager, model, codes, warmup, new Rng(4));
            var options = new DitSampling.Options(new SamplerConfig("ddim", p.ditSteps(), 0.0, true), scale, Integer.MAX_VALUE, p.ditImages());
            double seconds = median(p.sampleReps(), 0, () -> time(() -> DitSampling.sample(manager, model, codes, options, new Rng(4))));
            double flops = 2.0 * c.forwardMacs() * p.ditSteps() * (guided ? 2 : 1);
            return new Measurement(guided ? "dit_sample_guided" : "dit_sample", "DiT sampling, DDIM " + p.ditSteps() + (guided ? ", guided" : ""), preset, "images/s", p.ditImages() / seconds,
                    flops, seconds, p.sampleReps());
        }
    }

    /** SEDD training step (score entropy, AdamW, clipping, EMA) on random codes: tokens/s. */
    public static Measurement seddTrain(NDManager manager, String preset, Plan p, Path tmp) {
        Sedd.Config model = Sedd.Config.preset(preset, LENGTH, VOCAB);
        DlcFile codes = randomCodes((p.warmupSteps() + p.steps()) * p.seddBatch(), new Rng(5));
        var config = SeddTraining.Config.fmnist(model, 0).with(1, p.seddBatch(), 3e-4).withSchedule(0, 0, 0);
        Path ck = tmp.resolve("sedd.safetensors");
        Path out = tmp.resolve("sedd-ema.safetensors");
        double perStep = secondsPerStep(p, (resume, until) -> SeddTraining.train(manager, config, codes, null, ck, resume, out, until).trainSeconds());
        return new Measurement("sedd_train", "SEDD training step", preset, "tokens/s", p.seddBatch() * LENGTH / perStep, 6.0 * model.forwardMacs() / LENGTH,
                perStep, p.steps());
    }

    /** Analytic (Tweedie) sampling of a fresh SEDD: codes/s. */
    public static Measurement seddSample(NDManager manager, String preset, Plan p) {
        Sedd.Config c = Sedd.Config.preset(preset, LENGTH, VOCAB);
        try (Params params = new Params(manager)) {
            TrainedPrior prior = new TrainedPrior(new Sedd(params, c, new Rng(6)), params, "", "", Double.NaN);
            prior.sample(p.priorCodes(), PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, 2, 0), p.priorCodes(), new Rng(7));
            var config = PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, p.priorSteps(), 0);
            double seconds = median(p.sampleReps(), 0, () -> time(() -> prior.sample(p.priorCodes(), config, p.priorCodes(), new Rng(7))));
            return new Measurement("sedd_sample", "SEDD sampling, analytic " + p.priorSteps(), preset, "codes/s", p.priorCodes() / seconds,
                    2.0 * c.forwardMacs() * (p.priorSteps() + 1), seconds, p.sampleReps());
        }
    }

    /** SEM (DINO with multi-crop) training step on random images: images/s; no FLOP count (crops of several sizes). */
    public static Measurement semTrain(NDManager manager, String preset, Plan p, Path tmp) {
        SemTraining.Config base = preset.equals("tiny") ? SemTraining.Config.tiny(0)
                : SemTraining.Config.fmnist(org.dlc4j.sem.SemEncoder.Config.fmnist(LENGTH, VOCAB), 0);
        var config = base.withEpochs(1).withCheckpointEvery(0);
        int count = (p.warmupSteps() + p.steps()) * config.batch();
        ImageDataset images = ImageDataset.fromBatch("random", new Rng(8).uniforms(count * 28 * 28), 1, 28, 28);
        Path ck = tmp.resolve("sem.safetensors");
        Path out = tmp.resolve("sem-out.safetensors");
        double perStep = secondsPerStep(p, (resume, until) -> SemTraining.train(manager, config, images, ck, resume, out, until, 0).trainSeconds());
        return new Measurement("sem_train", "SEM training step", preset, "images/s", config.batch() / perStep, Double.NaN, perStep, p.steps());
    }

    /** Text-to-DLC sampling with low-confidence unmasking, one position per step, from MiniLM-encoded prompts: codes/s. */
    public static Measurement textSample(NDManager manager, String preset, Plan p, TextEncoder encoder) {
        TextToDlc.Config c = TextToDlc.Config.preset(preset, LENGTH, VOCAB);
        List<String> prompts = new ArrayList<>();
        String[] distinct = {"a photo of a sneaker", "a woman's ankle boot", "a striped t-shirt", "a leather bag"};
        for (int i = 0; i < p.textCodes(); i++) {
            prompts.add(distinct[i % distinct.length]);
        }
        try (Params params = new Params(manager)) {
            TrainedText text = new TrainedText(new TextToDlc(params, c, new Rng(9)), params, "", "", "", Double.NaN);
            var config = new Unmasking.Config(LENGTH, Unmasking.Remasking.LOW_CONFIDENCE, 1.0, 1.0);
            text.sample(encoder, prompts, new Unmasking.Config(1, Unmasking.Remasking.LOW_CONFIDENCE, 1.0, 1.0), p.textCodes(), new Rng(10));
            double seconds = median(p.sampleReps(), 0, () -> time(() -> text.sample(encoder, prompts, config, p.textCodes(), new Rng(10))));
            int captionTokens = prompts.stream().mapToInt(s -> encoder.encode(List.of(s)).length(0)).max().orElse(0);
            return new Measurement("text_sample", "text-to-DLC sampling, " + LENGTH + " steps", preset, "codes/s", p.textCodes() / seconds,
                    2.0 * c.forwardMacs(captionTokens) * LENGTH, seconds, p.sampleReps());
        }
    }

    /**
     * Trains the DiT preset with batch {@code batch}: {@code warmup} steps unmeasured, then {@code steps} steps while a
     * thread samples the process's RSS every 100 ms. The native allocator's working set grows over the first ten thousand
     * or so tiny steps whatever the code does, then stops: with the heap fixed and pre-touched, 6.5 MB per 100 steps over
     * steps 1,000–3,000, 2.1 over 5,000–15,000, 0.02 over 15,000–45,000 (README, dlc bench). So the slope is fitted over
     * the measured steps only and converted from time to steps with their own rate.
     */
    public static Memory memory(NDManager manager, String preset, int batch, int warmupSteps, int steps, Path tmp) {
        DiT.Config model = ditConfig(preset);
        long warmup = Math.max(1, warmupSteps);
        // A few hundred batches cycled over as many epochs as the run needs: the data need not grow with the steps.
        int batches = 512;
        var data = randomDitData(batches * batch, new Rng(11));
        var config = ditTraining(model, batch).withEpochs((int) ((warmup + steps + batches - 1) / batches));
        Path ck = tmp.resolve("memory.safetensors");
        Path out = tmp.resolve("memory-ema.safetensors");
        double warmSeconds = DitTraining.train(manager, config, data, ck, false, out, warmup).trainSeconds();
        List<double[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                double rss = ProcessMemory.rssKb()[0];
                samples.add(new double[] {(System.nanoTime() - start) / 1e9, rss, rss - Runtime.getRuntime().totalMemory() / 1024.0});
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        DitTraining.Result r;
        try {
            r = DitTraining.train(manager, config, data, ck, true, out, warmup + steps);
        } finally {
            sampler.interrupt();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] pts;
        synchronized (samples) {
            pts = samples.toArray(double[][]::new);
        }
        double slopeKbPerSecond = slope(pts, 1);
        double nativeKbPerSecond = slope(pts, 2);
        long measured = r.steps() - warmup;
        double secondsPerStep = (r.trainSeconds() - warmSeconds) / measured;
        double first = pts.length == 0 ? Double.NaN : pts[0][1];
        double last = pts.length == 0 ? Double.NaN : pts[pts.length - 1][1];
        return new Memory(preset, warmup, measured, seconds, ProcessMemory.rssKb()[1] / 1024, first / 1024, last / 1024, slopeKbPerSecond * secondsPerStep * 100 / 1024,
                nativeKbPerSecond * secondsPerStep * 100 / 1024);
    }

    /** Least-squares slope of column {@code y} on column 0. */
    static double slope(double[][] pts, int y) {
        if (pts.length < 2) {
            return Double.NaN;
        }
        double mx = Arrays.stream(pts).mapToDouble(p -> p[0]).average().orElseThrow();
        double my = Arrays.stream(pts).mapToDouble(p -> p[y]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (double[] p : pts) {
            sxy += (p[0] - mx) * (p[y] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /** A training run to {@code until} (resuming its checkpoint when asked), returning the trainer's seconds so far. */
    @FunctionalInterface
    interface TrainRun {
        double seconds(boolean resume, long until);
    }

    /** Seconds per step after the warm-up: a run stopped at the warm-up, resumed to the end; the difference of its clocks. */
    static double secondsPerStep(Plan p, TrainRun run) {
        double warm = run.seconds(false, p.warmupSteps());
        return (run.seconds(true, Long.MAX_VALUE) - warm) / p.steps();
    }

    /** One epoch of the shipped DiT recipe (lr 5e-4, EMA 0.999) at the given batch, without checkpoints or snapshots. */
    static DitTraining.Config ditTraining(DiT.Config model, int batch) {
        return new DitTraining.Config(model, 1, batch, 5e-4, 0.0, 0.999, 0, 0, 0);
    }

    /** {@code count} random 32×32 images with random codes. */
    static DitTraining.Data randomDitData(int count, Rng rng) {
        return new DitTraining.Data(ImageDataset.fromBatch("random", rng.uniforms(count * 32 * 32), 1, 32, 32), randomCodes(count, rng), null, "");
    }

    /** The DiT preset of a bench preset name, DLC-conditioned on the shipped codes' shape. */
    static DiT.Config ditConfig(String preset) {
        return DiT.Config.preset(preset).conditionedOn(Conditioning.DLC, 0, LENGTH, VOCAB, 0);
    }

    static DlcFile randomCodes(int count, Rng rng) {
        int[] tokens = rng.ints(count * LENGTH, VOCAB);
        return new DlcFile(tokens, LENGTH, VOCAB, null, null, 0, "", "random");
    }

    static double time(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1e9;
    }

    /** The median of {@code reps} timings after {@code warmup} untimed ones. */
    static double median(int reps, int warmup, DoubleSupplier timing) {
        for (int i = 0; i < warmup; i++) {
            timing.getAsDouble();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            t[i] = timing.getAsDouble();
        }
        return median(t);
    }

    /** The median of {@code values} (the mean of the middle two for an even count); NaN for none. */
    public static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
