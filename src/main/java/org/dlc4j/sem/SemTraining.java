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
import org.dlc4j.nn.Trainer;
import org.dlc4j.util.Rng;
import org.dlc4j.util.UserException;
import org.dlc4j.nn.Scalar;

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
    public record Config(SemEncoder.Config encoder, DinoHead.Config head, MultiCrop crops, int epochs, int batch, double lr,
                         double minLr, double warmup, double weightDecay, double teacherMomentum, double[] teacherTemp,
                         double teacherTempWarmup, double studentTemp, double centerMomentum, double koleo, double ibot,
                         double maskProbability, double[] maskRatio, double gradClip, long checkpointEvery, long seed) {
        public static Config fmnist(SemEncoder.Config encoder, long seed) {
            // iBOT is off: at 250 steps it lowered every probe, cut code usage and throughput (README, "Measured").
            return new Config(encoder, DinoHead.Config.fmnist(), MultiCrop.fmnist(), 8, 128, 5e-4, 1e-6, 0.1, 0.04, 0.99,
                    new double[] {0.04, 0.07}, 0.3, 0.1, 0.9, 0.1, 0.0, 0.5, new double[] {0.1, 0.5}, 3.0, 200, seed);
        }

        public static Config tiny(long seed) {
            return new Config(SemEncoder.Config.tiny(), DinoHead.Config.tiny(), MultiCrop.tiny(), 1, 16, 1e-3, 1e-6, 0.0, 0.04, 0.99,
                    new double[] {0.04, 0.07}, 0.3, 0.1, 0.9, 0.1, 1.0, 0.5, new double[] {0.1, 0.5}, 3.0, 0, seed);
        }

        public Config withEpochs(int epochs) {
            return new Config(encoder, head, crops, epochs, batch, lr, minLr, warmup, weightDecay, teacherMomentum, teacherTemp,
                    teacherTempWarmup, studentTemp, centerMomentum, koleo, ibot, maskProbability, maskRatio, gradClip, checkpointEvery, seed);
        }

        public Config withLr(double lr) {
            return new Config(encoder, head, crops, epochs, batch, lr, minLr, warmup, weightDecay, teacherMomentum, teacherTemp,
                    teacherTempWarmup, studentTemp, centerMomentum, koleo, ibot, maskProbability, maskRatio, gradClip, checkpointEvery, seed);
        }

        public Config withCheckpointEvery(long every) {
            return new Config(encoder, head, crops, epochs, batch, lr, minLr, warmup, weightDecay, teacherMomentum, teacherTemp,
                    teacherTempWarmup, studentTemp, centerMomentum, koleo, ibot, maskProbability, maskRatio, gradClip, every, seed);
        }

        public Config withCrops(MultiCrop crops) {
            return new Config(encoder, head, crops, epochs, batch, lr, minLr, warmup, weightDecay, teacherMomentum, teacherTemp,
                    teacherTempWarmup, studentTemp, centerMomentum, koleo, ibot, maskProbability, maskRatio, gradClip, checkpointEvery, seed);
        }

        public Config withHead(DinoHead.Config head) {
            return new Config(encoder, head, crops, epochs, batch, lr, minLr, warmup, weightDecay, teacherMomentum, teacherTemp,
                    teacherTempWarmup, studentTemp, centerMomentum, koleo, ibot, maskProbability, maskRatio, gradClip, checkpointEvery, seed);
        }

        public Config withLosses(double koleo, double ibot) {
            return new Config(encoder, head, crops, epochs, batch, lr, minLr, warmup, weightDecay, teacherMomentum, teacherTemp,
                    teacherTempWarmup, studentTemp, centerMomentum, koleo, ibot, maskProbability, maskRatio, gradClip, checkpointEvery, seed);
        }
    }

    /** One network of the pair: encoder and DINO head sharing one set of weights. */
    static final class Net implements AutoCloseable {
        final Params params;
        final SemEncoder encoder;
        final DinoHead head;

        Net(NDManager manager, Config c, long seed) {
            Rng rng = new Rng(seed);
            params = new Params(manager);
            encoder = new SemEncoder(params, c.encoder(), rng);
            head = new DinoHead(params, "dino_head", c.encoder().dim(), c.head(), rng);
        }

        NDArray scores(NDArray x, double tau) {
            return head.forward(encoder.forward(x, tau).cls());
        }

        @Override
        public void close() {
            params.close();
        }
    }

    /** What a finished run reports. */
    public record Result(long steps, long totalSteps, double trainSeconds, double imagesPerSecond, double finalLoss) {
        public boolean finished() {
            return steps >= totalSteps;
        }
    }

    private static final Gson GSON = new Gson();

    private SemTraining() {}

    /**
     * Trains on {@code images} (padded to the encoder's size), resuming from {@code checkpoint} when asked, and
     * writes the teacher's encoder weights to {@code output}.
     */
    public static Result train(NDManager manager, Config c, ImageDataset images, Path checkpoint, boolean resume, Path output) {
        return train(manager, c, images, checkpoint, resume, output, Long.MAX_VALUE);
    }

    /** As above, but stops at step {@code until} (checkpointed, for a later resume); the encoder is written only at the end. */
    public static Result train(NDManager manager, Config c, ImageDataset images, Path checkpoint, boolean resume, Path output, long until) {
        ImageDataset data = images.padTo(c.encoder().image());
        int size = c.encoder().image();
        long stepsPerEpoch = data.count() / c.batch();
        long steps = stepsPerEpoch * c.epochs();
        var tc = new Trainer.Config(steps, c.lr(), Math.round(steps * c.warmup()), new AdamW.Config(0.9, 0.999, 1e-8, c.weightDecay()),
                c.gradClip(), c.teacherMomentum(), c.checkpointEvery()).withCosineLr(c.minLr()).withEmaRisingTo(1.0);
        Checkpoint.Meta meta = Checkpoint.Meta.current(KIND, GSON.toJson(c.encoder()), 0, data.name(), c.seed(),
                Map.of("training", GSON.toJson(c)));
        try (Net student = new Net(manager, c, c.seed()); Net teacher = new Net(manager, c, c.seed());
             NDManager state = manager.newSubManager();
             Trainer trainer = new Trainer(student.params, tc, c.seed() + 1, teacher.params)) {
            teacher.params.all().values().forEach(a -> a.setRequiresGradient(false));
            DinoLoss dino = new DinoLoss(c.studentTemp(), c.centerMomentum(), state.zeros(new Shape(1, c.head().prototypes())));
            DinoLoss ibot = new DinoLoss(c.studentTemp(), c.centerMomentum(), state.zeros(new Shape(1, c.head().prototypes())));
            trainer.track("dino_center", dino.center());
            trainer.track("ibot_center", ibot.center());
            if (resume && trainer.resumeIfPresent(checkpoint, KIND, meta.configJson())) {
                System.err.printf(Locale.ROOT, "resumed at step %d from %s%n", trainer.step(), checkpoint);
            }
            BatchSampler sampler = BatchSampler.resumeAt(data.count(), c.batch(), true, c.seed() + 2, trainer.step());
            long tempWarmup = Math.round(steps * c.teacherTempWarmup());
            trainer.run((mgr, rng, step) -> {
                int[] idx = sampler.next();
                int b = idx.length;
                MultiCrop.Views v = c.crops().apply(data.batch(idx), b, size, rng);
                NDArray globals = mgr.create(concat(v.global()), new Shape(2L * b, 1, size, size));
                SemEncoder.Output t = teacher.encoder.forward(globals, c.encoder().tau());
                List<NDArray> teacherOut = split(teacher.head.forward(t.cls()).stopGradient(), 2);
                Masks masks = c.ibot() > 0 ? Masks.sample(2 * b, c.encoder().grid() * c.encoder().grid(), c.maskProbability(), c.maskRatio(), rng) : null;
                SemEncoder.Output g = student.encoder.forward(globals, c.encoder().tau(), masks == null ? null : masks.array(mgr));
                List<NDArray> studentOut = new ArrayList<>(split(student.head.forward(g.cls()), 2));
                if (v.local().length > 0) {
                    NDArray locals = mgr.create(concat(v.local()), new Shape((long) v.local().length * b, 1, v.localSize(), v.localSize()));
                    studentOut.addAll(split(student.scores(locals, c.encoder().tau()), v.local().length));
                }
                double tt = DinoLoss.teacherTemp(c.teacherTemp()[0], c.teacherTemp()[1], tempWarmup, step);
                NDArray loss = dino.loss(studentOut, teacherOut, tt);
                dino.updateCenter(teacherOut);
                if (masks != null && masks.maskedImages() > 0) {
                    int d = c.encoder().dim();
                    // Rows are picked with gather: DJL's boolean mask on an expanded mask corrupted the native heap here.
                    NDArray rows = masks.rowIndex(mgr, d);
                    NDArray sp = student.head.forward(g.patches().reshape(-1, d).gather(rows, 0));
                    NDArray tp = teacher.head.forward(t.patches().reshape(-1, d).gather(rows, 0)).stopGradient();
                    loss = loss.add(Scalar.times(ibot.patchLoss(sp, tp, masks.weights(mgr), masks.maskedImages(), tt), c.ibot()));
                    ibot.updateCenter(List.of(tp));
                }
                if (c.koleo() > 0) {
                    for (NDArray cls : split(g.cls(), 2)) {
                        loss = loss.add(Scalar.times(koleo(cls), c.koleo()));
                    }
                }
                return loss;
            }, checkpoint, meta, "sem", until);
            double seconds = trainer.trainSeconds();
            Result result = new Result(trainer.step(), steps, seconds, trainer.step() * (double) c.batch() / Math.max(seconds, 1e-9), trainer.lastLoss());
            if (trainer.step() < steps) {
                return result;
            }
            var shipped = Checkpoint.Meta.current(KIND, GSON.toJson(c.encoder()), trainer.step(), data.name(), c.seed(),
                    Map.of("training", GSON.toJson(c), "train_seconds", String.format(Locale.ROOT, "%.0f", trainer.trainSeconds()),
                            "final_loss", Double.toString(trainer.lastLoss())));
            new Checkpoint(shipped, encoderWeights(teacher.params.toHost(""), "")).save(output);
            return result;
        }
    }

    /**
     * Writes the teacher's encoder from a training checkpoint, so a run can be evaluated while it continues (or
     * when it was stopped early). Needs no native code: the weights are copied as they are.
     */
    public static void exportTeacher(Path checkpoint, Path output) {
        Checkpoint ck = Checkpoint.load(checkpoint, KIND);
        var weights = encoderWeights(ck.tensors(), Trainer.EMA);
        if (weights.isEmpty()) {
            throw new UserException(checkpoint + " holds no teacher weights (" + Trainer.EMA + "*): is it a dlc sem train checkpoint?");
        }
        Map<String, String> extra = new LinkedHashMap<>(ck.meta().extra());
        extra.put("exported_from", checkpoint.toString());
        extra.put("train_step", Long.toString(ck.meta().step()));
        var meta = Checkpoint.Meta.current(KIND, ck.meta().configJson(), ck.meta().step(), ck.meta().dataset(), ck.meta().seed(), extra);
        new Checkpoint(meta, weights).save(output);
    }

    /** The encoder's weights among {@code named} (names under {@code prefix}, the prefix removed): all but the DINO head. */
    private static LinkedHashMap<String, HostTensor> encoderWeights(Map<String, HostTensor> named, String prefix) {
        var weights = new LinkedHashMap<String, HostTensor>();
        named.forEach((name, t) -> {
            if (name.startsWith(prefix) && !name.startsWith(prefix + "dino_head.")) {
                weights.put(name.substring(prefix.length()), t);
            }
        });
        return weights;
    }

    /**
     * KoLeo (Sablayrolles et al. 2019, DINOv2): −mean log of each L2-normalised vector's distance to its nearest
     * neighbour in the batch, which spreads the representations out.
     */
    static NDArray koleo(NDArray x) {
        NDArray u = x.div(Scalar.atLeast(x.norm(new int[] {-1}, true), 1e-8));
        long n = u.getShape().get(0);
        NDArray sim = u.matMul(u.transpose());
        // Exclude each vector itself by pushing its self-similarity out of reach of the max.
        NDArray self = Scalar.times(u.getManager().eye(Math.toIntExact(n)), -2);
        NDArray nearest = sim.add(self).max(new int[] {1});
        NDArray dist = Scalar.atLeast(Scalar.times(nearest, -2).add(2f), 0).add(1e-8f).sqrt(); // ‖a − b‖ for unit vectors
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
