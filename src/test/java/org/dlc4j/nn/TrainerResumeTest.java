package org.dlc4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dlc4j.diffusion.gaussian.DiffusionConfig;
import org.dlc4j.diffusion.gaussian.GaussianDiffusion;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import org.dlc4j.toy.GridMixture;
import org.dlc4j.toy.ToyMlp;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** N steps straight must equal N/2 steps, save, resume in a fresh process state, N/2 more steps. */
class TrainerResumeTest {
    static final int STEPS = 40;
    static final Trainer.Config CONFIG = new Trainer.Config(STEPS, 3e-3, 5, new AdamW.Config(0.9, 0.999, 1e-8, 0.01), 1.0, 0.9, 0);
    static final GridMixture DATA = new GridMixture(9, 1.0, 0.1);
    static final GaussianDiffusion DIFFUSION = new GaussianDiffusion(DiffusionConfig.improvedContinuous(org.dlc4j.diffusion.gaussian.BetaSchedule.COSINE, 100));

    static Trainer.LossFn lossFor(ToyMlp model) {
        return (mgr, rng, step) -> {
            GridMixture.Sample s = DATA.sample(64, rng);
            NDArray x0 = mgr.create(s.xy(), new Shape(64, 2));
            int[] t = rng.ints(64, 100);
            NDArray noise = mgr.create(rng.gaussians(128), new Shape(64, 2));
            NDArray xt = DIFFUSION.qSample(x0, t, noise);
            return DIFFUSION.trainingLosses(model.forward(xt, t, s.labels()), x0, xt, t, noise).loss().mean();
        };
    }

    static ToyMlp newModel(NDManager m) {
        return new ToyMlp(m, new ToyMlp.Config(32, 4, 9, 4), new Rng(11));
    }

    record Run(List<Double> losses, Map<String, HostTensor> weights, Map<String, HostTensor> ema) {
    }

    static Run train(NDManager m, ToyMlp model, Trainer trainer, int steps) {
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            losses.add(trainer.trainStep(lossFor(model)));
        }
        return new Run(losses, model.params().toHost(""), trainer.emaWeights().toHost(""));
    }

    @Test
    void weightsOfAnotherShapeAreRefusedByName() {
        try (NDManager m = NDManager.newBaseManager(); ToyMlp wide = newModel(m);
             ToyMlp narrow = new ToyMlp(m, new ToyMlp.Config(16, 4, 9, 4), new Rng(11))) {
            var weights = wide.params().toHost("");
            var e = assertThrows(org.dlc4j.util.ModelMismatchException.class, () -> narrow.params().load(weights, "", Path.of("wide.safetensors")));
            assertTrue(e.getMessage().startsWith("wide.safetensors: tensor '") && e.getMessage().contains("has shape"), e.getMessage());
        }
    }

    @Test
    void resumedRunMatchesStraightRun(@TempDir Path dir) {
        Checkpoint.Meta meta = new Checkpoint.Meta("toy-mlp", "{}", 0, "grid", 0, "", "", Map.of());
        Run straight;
        try (NDManager m = NDManager.newBaseManager(); ToyMlp model = newModel(m); Trainer trainer = new Trainer(model.params(), CONFIG, 5)) {
            straight = train(m, model, trainer, STEPS);
        }
        Path ckpt = dir.resolve("half.safetensors");
        List<Double> firstHalf;
        try (NDManager m = NDManager.newBaseManager(); ToyMlp model = newModel(m); Trainer trainer = new Trainer(model.params(), CONFIG, 5)) {
            firstHalf = train(m, model, trainer, STEPS / 2).losses();
            trainer.save(ckpt, meta);
        }
        Run secondHalf;
        try (NDManager m = NDManager.newBaseManager(); ToyMlp model = new ToyMlp(m, new ToyMlp.Config(32, 4, 9, 4), new Rng(999));
             Trainer trainer = new Trainer(model.params(), CONFIG, 12345)) {
            var other = assertThrows(org.dlc4j.util.ModelMismatchException.class, () -> trainer.resumeIfPresent(ckpt, "toy-mlp", "{\"width\":64}"));
            assertTrue(other.getMessage().contains("was written for another model"), other.getMessage());
            assertTrue(trainer.resumeIfPresent(ckpt, "toy-mlp", "{}"));
            assertEquals(STEPS / 2, trainer.step());
            secondHalf = train(m, model, trainer, STEPS / 2);
        }
        List<Double> resumed = new ArrayList<>(firstHalf);
        resumed.addAll(secondHalf.losses());
        for (int i = 0; i < STEPS; i++) {
            // Float tolerance: libtorch may split reductions differently when the machine is busy.
            assertEquals(straight.losses().get(i), resumed.get(i), 1e-4 * Math.abs(straight.losses().get(i)), "loss at step " + i);
        }
        double first = straight.losses().subList(0, 10).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = straight.losses().subList(STEPS - 10, STEPS).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < first, "training lowers the loss: " + first + " -> " + last);
        for (String name : straight.weights().keySet()) {
            assertArrayEquals(straight.weights().get(name).floats(), secondHalf.weights().get(name).floats(), 1e-4f, name);
            assertArrayEquals(straight.ema().get(name).floats(), secondHalf.ema().get(name).floats(), 1e-4f, "ema " + name);
        }
    }
}
