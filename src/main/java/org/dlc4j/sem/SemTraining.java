package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dlc4j.data.BatchSampler;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import org.dlc4j.nn.AdamW;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Scalar;
import org.dlc4j.nn.Trainer;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;

/**
 * Self-supervised training of the SEM encoder in the DINO family (the paper re-uses DINOv2's objective): a student
 * (encoder + DINO head) learns to match an EMA teacher across multi-crop views; the DINO loss reads the SEM
 * representation, so the L softmaxes are what must carry the image's content. KoLeo on the student's global
 * representations is optional, as in DINOv2. The teacher's encoder is what ships.
 */
public final class SemTraining {
    public static final String KIND = "sem-encoder";

    /**
     * @param epochs            passes over the training images
     * @param lr                peak AdamW rate after warm-up, then cosine to {@code minLr}
     * @param teacherMomentum   first teacher EMA momentum, rising on a cosine to 1 (DINO: 0.996, DINOv2: 0.992)
     * @param teacherTemp       teacher temperature warm-up start and end (0.04 → 0.07)
     * @param warmup            share of the steps spent warming the learning rate up (DINOv2: 10 of 100 epochs)
     * @param teacherTempWarmup share of the steps over which the teacher temperature rises (DINOv2: 30 of 100 epochs)
     * @param studentTemp       0.1
     * @param centerMomentum    0.9
     * @param koleo             KoLeo weight (DINOv2: 0.1; 0 turns it off)
     * @param ibot              iBOT masked-patch loss weight (DINOv2: 1.0; 0 turns it off)
     * @param maskProbability   share of images whose global crops are masked (DINOv2: 0.5)
     * @param maskRatio         range of the masked share of patches (DINOv2: 0.1–0.5)
     */
    public record Config(SemEncoder.Config encoder, DinoHead.Config head, MultiCrop crops, double epochs, int batch, double lr,
                         double minLr, double warmup, double weightDecay, double teacherMomentum, double[] teacherTemp,
                         double teacherTempWarmup, double studentTemp, double centerMomentum, double koleo, double ibot,
                         double maskProbability, double[] maskRatio, double gradClip, long checkpointEvery, long seed,
                         Objective objective, Projector.Config projector, Projector.Config predictor, VicRegLoss vicreg,
                         double codeDiversity) {
        public Config {
            if (objective == null) {
                objective = Objective.DINO; // a checkpoint written before the objective was a choice
            }
            if (objective != Objective.DINO && crops.locals() > 0) {
                throw new IllegalArgumentException(objective + " takes two views: set the local crops to 0");
            }
            if (encoder.resnet() && ibot > 0) {
                throw new IllegalArgumentException("iBOT masks patches, which the ResNet backbone does not have: set ibot to 0");
            }
        }

        public static Config fmnist(SemEncoder.Config encoder, long seed) {
            // iBOT is off: at 250 steps it lowered every probe, cut code usage and throughput (README, "Measured").
            return new Config(encoder, DinoHead.Config.fmnist(), MultiCrop.fmnist(), 8, 128, 5e-4, 1e-6, 0.1, 0.04, 0.99,
                    new double[] {0.04, 0.07}, 0.3, 0.1, 0.9, 0.1, 0.0, 0.5, new double[] {0.1, 0.5}, 3.0, 200, seed,
                    Objective.DINO, null, null, null, 0.0);
        }

        /**
         * BYOL or VICReg on two 28-px views (no local crops, no blur), projector and predictor sized down from the
         * papers' 4096 → 256 for ten classes and a few thousand steps; the teacher momentum starts at 0.99, which
         * short runs want (the SEM paper's 0.9995 is a 1,000-epoch setting). The code-diversity penalty is on at
         * weight 1: without it a two-view run's codes used 15% of V per position, with it 80% (docs/sem).
         */
        public static Config twoView(SemEncoder.Config encoder, Objective objective, long seed) {
            if (objective == Objective.DINO) {
                throw new IllegalArgumentException("DINO is fmnist(), not a two-view preset");
            }
            Projector.Config projector = objective == Objective.VICREG ? new Projector.Config(1024, 1024, 3) : new Projector.Config(1024, 128, 2);
            Projector.Config predictor = objective == Objective.BYOL ? new Projector.Config(1024, 128, 2) : null;
            return new Config(encoder, DinoHead.Config.fmnist(), MultiCrop.twoView(), 45, 128, 2e-3, 1e-6, 0.05, 1e-4, 0.99,
                    new double[] {0.04, 0.07}, 0.3, 0.1, 0.9, 0.0, 0.0, 0.5, new double[] {0.1, 0.5}, 3.0, 200, seed,
                    objective, projector, predictor, objective == Objective.VICREG ? VicRegLoss.paper() : null, 1.0);
        }

        public static Config tiny(long seed) {
            return new Config(SemEncoder.Config.tiny(), DinoHead.Config.tiny(), MultiCrop.tiny(), 1, 16, 1e-3, 1e-6, 0.0, 0.04, 0.99,
                    new double[] {0.04, 0.07}, 0.3, 0.1, 0.9, 0.1, 1.0, 0.5, new double[] {0.1, 0.5}, 3.0, 0, seed,
                    Objective.DINO, null, null, null, 0.0);
        }

        /** A tiny ResNet with a two-view objective, for tests. */
        public static Config tinyTwoView(Objective objective, long seed) {
            Config c = twoView(SemEncoder.Config.tinyResNet(), objective, seed);
            Projector.Config small = new Projector.Config(32, 16, c.projector().layers());
            return c.with(b -> {
                b.epochs = 1;
                b.batch = 16;
                b.checkpointEvery = 0;
                b.projector = small;
                b.predictor = c.predictor() == null ? null : new Projector.Config(32, 16, 2);
            });
        }

        /**
         * Model FLOP of one training image (2 per multiply-accumulate): the student's views through the encoder and its
         * head (DINO head, or projector and BYOL's predictor) three times over (forward, and backward's two products per
         * weight), the teacher's global views once (DINO, BYOL; VICReg has no teacher).
         */
        public double flopPerImage() {
            int globals = 2;
            long global = encoder.forwardMacs(encoder.image());
            long head = objective == Objective.DINO
                    ? (long) encoder.dim() * this.head.hidden() + (long) this.head.hidden() * this.head.hidden()
                            + (long) this.head.hidden() * this.head.bottleneck() + (long) this.head.bottleneck() * this.head.prototypes()
                    : mlpMacs(encoder.dim(), projector);
            long student = globals * (global + head) + (long) crops.locals() * (encoder.forwardMacs(crops.localSize()) + head)
                    + (objective == Objective.BYOL ? globals * mlpMacs(projector.out(), predictor) : 0);
            long teacher = objective == Objective.VICREG ? 0 : globals * (global + head);
            return 2.0 * (3 * student + teacher);
        }

        private static long mlpMacs(int in, Projector.Config c) {
            return (long) in * c.hidden() + (long) (c.layers() - 2) * c.hidden() * c.hidden() + (long) c.hidden() * c.out();
        }

        public Config withEpochs(double epochs) {
            return with(b -> b.epochs = epochs);
        }

        public Config withLr(double lr) {
            return with(b -> b.lr = lr);
        }

        public Config withCheckpointEvery(long every) {
            return with(b -> b.checkpointEvery = every);
        }

        public Config withCrops(MultiCrop crops) {
            return with(b -> b.crops = crops);
        }

        public Config withHead(DinoHead.Config head) {
            return with(b -> b.head = head);
        }

        public Config withLosses(double koleo, double ibot) {
            return with(b -> {
                b.koleo = koleo;
                b.ibot = ibot;
            });
        }

        public Config withBatch(int batch) {
            return with(b -> b.batch = batch);
        }

        public Config withTeacherMomentum(double momentum) {
            return with(b -> b.teacherMomentum = momentum);
        }

        /** A copy with the fields {@code edit} changes (records have no withers; this keeps one list of fields). */
        public Config with(java.util.function.Consumer<Builder> edit) {
            Builder b = new Builder(this);
            edit.accept(b);
            return b.build();
        }
    }

    /** The mutable twin of {@link Config}, for {@link Config#with}. */
    public static final class Builder {
        public SemEncoder.Config encoder;
        public DinoHead.Config head;
        public MultiCrop crops;
        public double epochs;
        public int batch;
        public double lr;
        public double minLr;
        public double warmup;
        public double weightDecay;
        public double teacherMomentum;
        public double[] teacherTemp;
        public double teacherTempWarmup;
        public double studentTemp;
        public double centerMomentum;
        public double koleo;
        public double ibot;
        public double maskProbability;
        public double[] maskRatio;
        public double gradClip;
        public long checkpointEvery;
        public long seed;
        public Objective objective;
        public Projector.Config projector;
        public Projector.Config predictor;
        public VicRegLoss vicreg;
        public double codeDiversity;

        Builder(Config c) {
            encoder = c.encoder();
            head = c.head();
            crops = c.crops();
            epochs = c.epochs();
            batch = c.batch();
            lr = c.lr();
            minLr = c.minLr();
            warmup = c.warmup();
            weightDecay = c.weightDecay();
            teacherMomentum = c.teacherMomentum();
            teacherTemp = c.teacherTemp();
            teacherTempWarmup = c.teacherTempWarmup();
            studentTemp = c.studentTemp();
            centerMomentum = c.centerMomentum();
            koleo = c.koleo();
            ibot = c.ibot();
            maskProbability = c.maskProbability();
            maskRatio = c.maskRatio();
            gradClip = c.gradClip();
            checkpointEvery = c.checkpointEvery();
            seed = c.seed();
            objective = c.objective();
            projector = c.projector();
            predictor = c.predictor();
            vicreg = c.vicreg();
            codeDiversity = c.codeDiversity();
        }

        Config build() {
            return new Config(encoder, head, crops, epochs, batch, lr, minLr, warmup, weightDecay, teacherMomentum, teacherTemp,
                    teacherTempWarmup, studentTemp, centerMomentum, koleo, ibot, maskProbability, maskRatio, gradClip, checkpointEvery,
                    seed, objective, projector, predictor, vicreg, codeDiversity);
        }
    }

    /**
     * The self-supervised objective. DINO (the paper's, via DINOv2) matches an EMA teacher's prototype distribution
     * across multi-crop views; BYOL regresses an EMA teacher's projection of the other view through a predictor; VICReg
     * has no teacher and keeps the two views' embeddings invariant, spread and decorrelated.
     */
    public enum Objective {
        DINO, BYOL, VICREG
    }

    /**
     * One network: the encoder and the heads its objective reads, sharing one set of weights. A teacher (DINO, BYOL)
     * has no predictor; VICReg has no teacher.
     */
    static final class Net implements AutoCloseable {
        final Params params;
        final SemEncoder encoder;
        final DinoHead head;
        final Projector projector;
        final Projector predictor;

        Net(NDManager manager, Config c, long seed, boolean student) {
            Rng rng = new Rng(seed);
            params = new Params(manager);
            encoder = new SemEncoder(params, c.encoder(), rng);
            head = c.objective() == Objective.DINO ? new DinoHead(params, HEAD_DINO, c.encoder().dim(), c.head(), rng) : null;
            projector = c.objective() != Objective.DINO ? new Projector(params, HEAD_PROJECTOR, c.encoder().dim(), c.projector(), rng) : null;
            predictor = student && c.objective() == Objective.BYOL
                    ? new Projector(params, HEAD_PREDICTOR, c.projector().out(), c.predictor(), rng) : null;
        }

        NDArray scores(NDArray x, double tau) {
            return head.forward(encoder.forward(x, tau, null, true).cls());
        }

        @Override
        public void close() {
            params.close();
        }
    }

    private static final String HEAD_DINO = "dino_head";
    private static final String HEAD_PROJECTOR = "projector";
    private static final String HEAD_PREDICTOR = "predictor";

    /** What a finished run reports. */
    public record Result(long steps, long totalSteps, double trainSeconds, double imagesPerSecond, double finalLoss) {
        public boolean finished() {
            return steps >= totalSteps;
        }
    }

    private static final Gson GSON = org.dlc4j.io.Json.GSON; // strict JSON: non-finite numbers as null

    private SemTraining() {}

    /**
     * Trains on {@code images} (padded to the encoder's size), resuming from {@code checkpoint} when asked, and
     * writes the teacher's encoder weights to {@code output}.
     */
    public static Result train(NDManager manager, Config c, ImageDataset images, Path checkpoint, boolean resume, Path output) {
        return train(manager, c, images, checkpoint, resume, output, Long.MAX_VALUE, 0);
    }

    /**
     * As above, but stops at step {@code until} (checkpointed, for a later resume); the encoder is written only at the
     * end. Every {@code snapshotEvery} steps (0: never) the encoder as it would ship is also written to
     * {@code snapshots/step-N.safetensors} beside the checkpoint, so a curve of probe accuracy against training time can
     * be measured afterwards without slowing the run.
     */
    public static Result train(NDManager manager, Config c, ImageDataset images, Path checkpoint, boolean resume, Path output, long until,
                               long snapshotEvery) {
        if (images.channels() != c.encoder().channels() || images.height() > c.encoder().image()) {
            throw new InvalidInputException(images.name() + " holds " + images.channels() + "-channel " + images.height() + "-px images but the encoder"
                    + " reads " + c.encoder().channels() + "-channel " + c.encoder().image() + "-px ones: size the encoder to the data");
        }
        ImageDataset data = images.padTo(c.encoder().image());
        int size = c.encoder().image();
        long stepsPerEpoch = data.count() / c.batch();
        long steps = Math.max(1, Math.round(stepsPerEpoch * c.epochs()));
        var tc = new Trainer.Config(steps, c.lr(), Math.round(steps * c.warmup()), new AdamW.Config(0.9, 0.999, 1e-8, c.weightDecay()),
                c.gradClip(), c.teacherMomentum(), c.checkpointEvery()).withCosineLr(c.minLr()).withEmaRisingTo(1.0);
        Checkpoint.Meta meta = Checkpoint.Meta.current(KIND, GSON.toJson(c.encoder()), 0, data.name(), c.seed(),
                Map.of("training", GSON.toJson(c)));
        boolean hasTeacher = c.objective() != Objective.VICREG;
        try (Net student = new Net(manager, c, c.seed(), true); Net teacher = hasTeacher ? new Net(manager, c, c.seed(), false) : null;
             NDManager state = manager.newSubManager();
             Trainer trainer = new Trainer(student.params, tc, c.seed() + 1, teacher == null ? null : teacher.params)) {
            if (teacher != null) {
                teacher.params.all().values().forEach(a -> a.setRequiresGradient(false));
            }
            DinoLoss dino = new DinoLoss(c.studentTemp(), c.centerMomentum(), state.zeros(new Shape(1, c.head().prototypes())));
            DinoLoss ibot = new DinoLoss(c.studentTemp(), c.centerMomentum(), state.zeros(new Shape(1, c.head().prototypes())));
            if (c.objective() == Objective.DINO) {
                trainer.track("dino_center", dino.center());
                trainer.track("ibot_center", ibot.center());
            }
            if (resume && trainer.resumeIfPresent(checkpoint, KIND, meta.configJson())) {
                Listener.current().message(String.format(Locale.ROOT, "resumed at step %d from %s", trainer.step(), checkpoint));
            }
            BatchSampler sampler = BatchSampler.resumeAt(data.count(), c.batch(), true, c.seed() + 2, trainer.step());
            long tempWarmup = Math.round(steps * c.teacherTempWarmup());
            double tau = c.encoder().tau();
            Trainer.LossFn step = (mgr, rng, at) -> {
                int[] idx = sampler.next();
                int b = idx.length;
                MultiCrop.Views v = c.crops().apply(data.batch(idx), b, c.encoder().channels(), size, rng);
                NDArray globals = mgr.create(concat(v.global()), new Shape(2L * b, c.encoder().channels(), size, size));
                NDArray loss;
                SemEncoder.Output g;
                switch (c.objective()) {
                    case BYOL -> {
                        // Both views go through each network in one batch (BatchNorm then sees 2B images).
                        List<NDArray> target = split(teacher.projector.forward(teacher.encoder.forward(globals, tau, null, true).cls()).stopGradient(), 2);
                        g = student.encoder.forward(globals, tau, null, true);
                        List<NDArray> online = split(student.predictor.forward(student.projector.forward(g.cls())), 2);
                        loss = ByolLoss.loss(online.get(0), target.get(1)).add(ByolLoss.loss(online.get(1), target.get(0)));
                    }
                    case VICREG -> {
                        g = student.encoder.forward(globals, tau, null, true);
                        List<NDArray> e = split(student.projector.forward(g.cls()), 2);
                        loss = c.vicreg().loss(e.get(0), e.get(1));
                    }
                    default -> {
                        SemEncoder.Output t = teacher.encoder.forward(globals, tau, null, true);
                        List<NDArray> teacherOut = split(teacher.head.forward(t.cls()).stopGradient(), 2);
                        Masks masks = c.ibot() > 0 ? Masks.sample(2 * b, c.encoder().grid() * c.encoder().grid(), c.maskProbability(), c.maskRatio(), rng) : null;
                        g = student.encoder.forward(globals, tau, masks == null ? null : masks.array(mgr), true);
                        List<NDArray> studentOut = new ArrayList<>(split(student.head.forward(g.cls()), 2));
                        if (v.local().length > 0) {
                            NDArray locals = mgr.create(concat(v.local()), new Shape((long) v.local().length * b, c.encoder().channels(), v.localSize(), v.localSize()));
                            studentOut.addAll(split(student.scores(locals, tau), v.local().length));
                        }
                        double tt = DinoLoss.teacherTemp(c.teacherTemp()[0], c.teacherTemp()[1], tempWarmup, at);
                        loss = dino.loss(studentOut, teacherOut, tt);
                        dino.updateCenter(teacherOut);
                        if (masks != null && masks.maskedImages() > 0) {
                            int d = c.encoder().dim();
                            // Rows are picked with gather: DJL's boolean mask on an expanded mask corrupted the native heap here.
                            NDArray rows = masks.rowIndex(mgr, d);
                            NDArray sp = student.head.forward(g.patches().reshape(-1, d).gather(rows, 0));
                            NDArray tp = teacher.head.forward(t.patches().reshape(-1, d).gather(rows, 0)).stopGradient();
                            loss = loss.add(Scalar.times(ibot.patchLoss(sp, tp, masks.weights(mgr), masks.images(), tt), c.ibot()));
                            ibot.updateCenter(List.of(tp));
                        }
                    }
                }
                if (c.codeDiversity() > 0) {
                    loss = loss.add(Scalar.times(codeDiversity(g.probs()), c.codeDiversity()));
                }
                if (c.koleo() > 0) {
                    for (NDArray cls : split(g.cls(), 2)) {
                        loss = loss.add(Scalar.times(koleo(cls), c.koleo()));
                    }
                }
                return loss;
            };
            Path snapshots = (checkpoint.toAbsolutePath().getParent()).resolve("snapshots");
            trainer.run(step, checkpoint, meta, "sem", until, snapshotEvery, () -> {
                if (snapshotEvery > 0 && trainer.step() % snapshotEvery == 0) {
                    shipNow(manager, c, trainer, data, Map.of(), snapshots.resolve("step-" + trainer.step() + ".safetensors"));
                }
            });
            double seconds = trainer.trainSeconds();
            Result result = new Result(trainer.step(), trainer.endedEarly() ? trainer.step() : steps, seconds, trainer.step() * (double) c.batch() / Math.max(seconds, 1e-9), trainer.lastLoss());
            if (trainer.step() < steps && !trainer.endedEarly()) {
                return result;
            }
            shipNow(manager, c, trainer, data, Map.of("final_loss", Double.toString(trainer.lastLoss())), output);
            return result;
        }
    }

    /** Writes the encoder of the trainer's EMA weights as they are now (a snapshot, or the finished run), with {@code extra}. */
    private static void shipNow(NDManager manager, Config c, Trainer trainer, ImageDataset data, Map<String, String> extra, Path output) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("training", GSON.toJson(c));
        all.put("train_seconds", String.format(Locale.ROOT, "%.0f", trainer.trainSeconds()));
        all.putAll(extra);
        var meta = Checkpoint.Meta.current(KIND, GSON.toJson(c.encoder()), trainer.step(), data.name(), c.seed(), all);
        ship(manager, c.encoder(), encoderWeights(trainer.emaWeights().toHost(""), ""), data, meta, output);
    }

    /** Images whose statistics a ResNet's BatchNorm is recalibrated on before it ships ({@link SemEncoder#recalibrateBatchNorm}). */
    static final int CALIBRATION_IMAGES = 10_240;

    /**
     * Writes the encoder of the teacher (DINO, BYOL) or of the student's EMA (VICReg) from a training checkpoint, so a
     * run can be evaluated while it continues (or when it was stopped early). A ResNet's BatchNorm is recalibrated on
     * {@code images} (the training set) as at the end of a run.
     */
    public static void exportTeacher(NDManager manager, Path checkpoint, ImageDataset images, Path output) {
        Checkpoint ck = Checkpoint.load(checkpoint, KIND);
        var weights = encoderWeights(ck.tensors(), Trainer.EMA);
        if (weights.isEmpty()) {
            throw new InvalidInputException(checkpoint + " holds no teacher weights (" + Trainer.EMA + "*): is it an encoder training checkpoint?");
        }
        SemEncoder.Config config = ck.config(SemEncoder.Config.class, checkpoint, "encoder", "train it again");
        Map<String, String> extra = new LinkedHashMap<>(ck.meta().extra());
        extra.put("exported_from", checkpoint.toString());
        extra.put("train_step", Long.toString(ck.meta().step()));
        var meta = Checkpoint.Meta.current(KIND, ck.meta().configJson(), ck.meta().step(), ck.meta().dataset(), ck.meta().seed(), extra);
        ship(manager, config, weights, images.padTo(config.image()), meta, output);
    }

    /**
     * Builds the encoder from {@code weights}, recalibrates a ResNet's BatchNorm on {@link #CALIBRATION_IMAGES} images
     * of {@code data} (a fixed seeded choice, so an export is reproducible) and writes it. Running statistics missing
     * from {@code weights} (an EMA keeps only trained weights) start at 0 and 1: the recalibration replaces them.
     */
    private static void ship(NDManager manager, SemEncoder.Config config, LinkedHashMap<String, HostTensor> weights, ImageDataset data,
                             Checkpoint.Meta meta, Path output) {
        try (NDManager scope = manager.newSubManager()) {
            Params p = new Params(scope);
            SemEncoder encoder = new SemEncoder(p, config, new Rng(0));
            p.buffers().forEach((name, a) -> weights.putIfAbsent(name, HostTensor.ofFloats(a.getShape().getShape(), a.toFloatArray())));
            p.load(weights, "", output);
            if (config.resnet()) {
                int[] order = new Rng(meta.seed() + 3).permutation(data.count());
                int n = Math.min(CALIBRATION_IMAGES, data.count());
                int batch = 256;
                List<NDArray> batches = new ArrayList<>();
                for (int at = 0; at < n; at += batch) {
                    int[] idx = java.util.Arrays.copyOfRange(order, at, Math.min(n, at + batch));
                    batches.add(scope.create(data.batch(idx), new Shape(idx.length, config.channels(), config.image(), config.image())));
                }
                encoder.recalibrateBatchNorm(batches);
            }
            Collapse health = health(scope, encoder, data, config);
            Listener.current().message(output.getFileName() + ": " + health);
            Map<String, String> extra = new LinkedHashMap<>(meta.extra());
            extra.put("collapse_check", health.toString());
            var withHealth = new Checkpoint.Meta(meta.kind(), meta.configJson(), meta.step(), meta.dataset(), meta.seed(), meta.commit(), meta.command(), extra);
            new Checkpoint(withHealth, p.toHost("")).save(output);
        }
    }

    /** The collapse check on the first 512 images of {@code data}, in inference mode: what the shipped encoder will do. */
    private static Collapse health(NDManager scope, SemEncoder encoder, ImageDataset data, SemEncoder.Config config) {
        int n = Math.min(512, data.count());
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        NDArray x = scope.create(data.batch(idx), new Shape(n, config.channels(), config.image(), config.image()));
        return Collapse.of(encoder.forward(x, config.tau()));
    }

    /** The encoder's weights among {@code named} (names under {@code prefix}, the prefix removed): all but the training heads. */
    private static LinkedHashMap<String, HostTensor> encoderWeights(Map<String, HostTensor> named, String prefix) {
        var weights = new LinkedHashMap<String, HostTensor>();
        named.forEach((name, t) -> {
            if (name.startsWith(prefix) && !name.startsWith(prefix + HEAD_DINO + ".") && !name.startsWith(prefix + HEAD_PROJECTOR + ".")
                    && !name.startsWith(prefix + HEAD_PREDICTOR + ".")) {
                weights.put(name.substring(prefix.length()), t);
            }
        });
        return weights;
    }

    /**
     * wav2vec 2.0's codebook diversity penalty (Baevski et al. 2020, eq. 4), normalised to [0, 1]: one minus the entropy of
     * each position's softmax averaged over the batch, over log V, averaged over positions. It is 0 when every position
     * spreads the batch over all V tokens and 1 when a position gives every image the same token, so it pushes the code
     * to use its vocabulary without asking any single image's distribution to be flat.
     *
     * @param probs [B, L, V] SEM distributions
     */
    static NDArray codeDiversity(NDArray probs) {
        long vocab = probs.getShape().get(2);
        NDArray mean = probs.mean(new int[] {0});
        NDArray entropy = mean.mul(Scalar.atLeast(mean, 1e-12).log()).sum(new int[] {-1}).neg();
        return Scalar.over(entropy, Math.log(vocab)).neg().add(1f).mean();
    }

    /**
     * KoLeo (Sablayrolles et al. 2019, DINOv2's {@code KoLeoLoss}): −mean log of each L2-normalised vector's distance to
     * its nearest neighbour in the batch, which spreads the representations out. The neighbour is found by inner
     * product (the diagonal set to −1, as DINOv2), then the distance is taken as DINOv2 takes it, ‖u − u_nn + ε‖: read
     * off 2 − 2 cos instead, a near-duplicate pair (the case KoLeo exists for) lost most of its digits in float32.
     */
    public static NDArray koleo(NDArray x) {
        NDArray u = x.div(Scalar.atLeast(x.norm(new int[] {-1}, true), 1e-8));
        long n = u.getShape().get(0);
        long d = u.getShape().get(1);
        NDArray fixed = u.stopGradient();
        NDArray eye = u.getManager().eye(Math.toIntExact(n));
        NDArray sim = fixed.matMul(fixed.transpose()).mul(eye.neg().add(1f)).sub(eye);
        NDArray nearest = sim.argMax(1).expandDims(1).broadcast(new Shape(n, d));
        NDArray dist = u.sub(u.gather(nearest, 0)).add(1e-8f).norm(new int[] {-1});
        return dist.add(1e-8f).log().neg().mean();
    }

    /**
     * iBOT's masks for a batch of global crops: each image is masked with probability p, then a share drawn from
     * the ratio range of its patches, chosen uniformly (DINOv2 masks blocks; on an 8×8 grid random patches are
     * the simpler equivalent).
     */
    record Masks(boolean[] masked, int images, int patches, int maskedImages) {
        static Masks sample(int images, int patches, double probability, double[] ratio, Rng rng) {
            boolean[] m = new boolean[images * patches];
            int maskedImages = 0;
            for (int i = 0; i < images; i++) {
                if (rng.nextDouble() >= probability) {
                    continue;
                }
                int k = Math.max(1, (int) Math.round(patches * (ratio[0] + (ratio[1] - ratio[0]) * rng.nextDouble())));
                int[] order = rng.permutation(patches);
                for (int j = 0; j < k; j++) {
                    m[i * patches + order[j]] = true;
                }
                maskedImages++;
            }
            return new Masks(m, images, patches, maskedImages);
        }

        NDArray array(NDManager mgr) {
            float[] f = new float[masked.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = masked[i] ? 1 : 0;
            }
            return mgr.create(f, new Shape(images, patches));
        }

        /** For torch.gather along rows: [M, width], row i holding the index of the i-th masked patch in every column. */
        NDArray rowIndex(NDManager mgr, int width) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < masked.length; i++) {
                if (masked[i]) {
                    rows.add(i);
                }
            }
            long[] index = new long[rows.size() * width];
            for (int i = 0; i < rows.size(); i++) {
                java.util.Arrays.fill(index, i * width, (i + 1) * width, rows.get(i));
            }
            return mgr.create(index, new Shape(rows.size(), width));
        }

        /** 1 / (masked patches of the image), for every masked patch in order. */
        NDArray weights(NDManager mgr) {
            List<Float> w = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                int count = 0;
                for (int j = 0; j < patches; j++) {
                    count += masked[i * patches + j] ? 1 : 0;
                }
                for (int j = 0; j < count; j++) {
                    w.add(1f / count);
                }
            }
            float[] out = new float[w.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = w.get(i);
            }
            return mgr.create(out, new Shape(out.length));
        }
    }

    private static float[] concat(float[][] parts) {
        int total = 0;
        for (float[] p : parts) {
            total += p.length;
        }
        float[] out = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static List<NDArray> split(NDArray x, int parts) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray a : x.split(parts, 0)) {
            out.add(a);
        }
        return out;
    }
}
