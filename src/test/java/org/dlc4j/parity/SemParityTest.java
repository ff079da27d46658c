package org.dlc4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Scalar;
import org.dlc4j.sem.DinoHead;
import org.dlc4j.sem.DinoLoss;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.sem.SemTraining;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * The SEM encoder against the authors' DINOv2 fork (goldens from {@code parity/sem_goldens.py}; parity/README.md):
 * the Simplicial Embedding head, the DINO head, the DINO loss with centering, sharpening and KoLeo as DINOv2 assembles
 * them, iBOT's patch loss, the teacher-temperature schedule and the ViT backbone.
 */
class SemParityTest {
    /** A ViT SEM encoder of the goldens' size; depth 0 when the tokens are the input. */
    private static SemEncoder.Config vit(int image, int dim, int depth, int heads, double mlpRatio) {
        return new SemEncoder.Config(image, 1, 4, 0, dim, depth, heads, mlpRatio, 4, 0.1, 8, 16, 1.0);
    }

    /** [B, 1 + R, D] pre-norm [CLS] and register tokens, flattened as the SEM head reads them. */
    private static NDArray tokens(Golden g, NDManager m, String key) {
        NDArray t = g.array(m, key);
        return t.reshape(t.getShape().get(0), -1);
    }

    private static List<NDArray> split(NDArray x, int parts) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray a : x.split(parts, 0)) {
            out.add(a);
        }
        return out;
    }

    @Test
    void semHeadMatchesDinoVisionTransformerWithSem() {
        Golden g = Golden.load("sem-head");
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            SemEncoder enc = new SemEncoder(p, vit(16, 64, 0, 2, 4.0), new Rng(0));
            g.loadInto(p);
            NDArray in = tokens(g, m, "input.tokens");
            SemEncoder.Output out = enc.sem(in, 1.0);
            g.assertOutput("logits", out.logits());
            g.assertOutput("probs", out.probs());
            g.assertOutput("cls", out.cls());
            SemEncoder.Output half = enc.sem(in, 0.5);
            g.assertOutput("probs_tau_half", half.probs());
            g.assertOutput("cls_tau_half", half.cls());
            NDArray wCls = g.array(m, "input.w_cls");
            NDArray wProbs = g.array(m, "input.w_probs");
            g.assertLossAndGoldenGradients(p, "loss", () -> {
                SemEncoder.Output o = enc.sem(in, 1.0);
                return o.cls().mul(wCls).sum().add(o.probs().mul(wProbs).sum());
            });
        }
    }

    @Test
    void dinoHeadMatchesDinoHeadWithItsWeightNormAtOne() {
        Golden g = Golden.load("sem-dino-head");
        // dlc4j fixes weight_g at 1; the reference initialises it to 1 (and then trains it: parity/README.md).
        for (float v : g.floats("output.weight_g")) {
            assertEquals(1f, v);
        }
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            DinoHead head = new DinoHead(p, "dino_head", 64, new DinoHead.Config(64, 32, 256), new Rng(0));
            g.loadInto(p);
            NDArray x = g.array(m, "input.x");
            g.assertOutput("scores", head.forward(x));
            NDArray w = g.array(m, "input.w");
            g.assertLossAndGradients(p, "loss", () -> head.forward(x).mul(w).sum());
        }
    }

    /**
     * One batch of the student's loss, assembled as {@code SemTraining}'s DINO step assembles it (two global crops
     * first, then the local crops; DINO over every teacher/student pair of different crops; KoLeo on each global crop's
     * SEM [CLS]), against the reference's ssl_meta_arch assembly; then the centre's update and the temperature schedule.
     */
    @Test
    void dinoLossWithKoleoMatchesSslMetaArch() {
        Golden g = Golden.load("sem-dino-loss");
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            SemEncoder enc = new SemEncoder(p, vit(16, 32, 0, 2, 4.0), new Rng(0));
            DinoHead head = new DinoHead(p, "dino_head", 32, new DinoHead.Config(64, 16, 256), new Rng(1));
            g.loadInto(p);
            NDArray globals = tokens(g, m, "input.global_tokens");
            NDArray locals = tokens(g, m, "input.local_tokens");
            List<NDArray> teacher = split(g.array(m, "input.teacher_scores"), 2);
            double tt = g.scalar("input.teacher_temp");
            double koleoWeight = g.scalar("input.koleo_weight");
            int nLocal = Math.toIntExact(locals.getShape().get(0) / (globals.getShape().get(0) / 2));
            DinoLoss dino = new DinoLoss(0.1, 0.9, g.array(m, "input.center"));

            g.assertOutput("student_global", head.forward(enc.sem(globals, 1.0).cls()));
            g.assertOutput("student_local", head.forward(enc.sem(locals, 1.0).cls()));
            g.assertLossAndGoldenGradients(p, "loss", () -> {
                SemEncoder.Output gOut = enc.sem(globals, 1.0);
                List<NDArray> student = new ArrayList<>(split(head.forward(gOut.cls()), 2));
                student.addAll(split(head.forward(enc.sem(locals, 1.0).cls()), nLocal));
                NDArray loss = dino.loss(student, teacher, tt);
                g.assertClose("output.dino_global", new float[] {(float) (g.scalar("output.dino_global") + g.scalar("output.dino_local"))},
                        new float[] {loss.getFloat()}, Golden.OUTPUT_TOL);
                NDArray koleo = null;
                for (NDArray cls : split(gOut.cls(), 2)) {
                    NDArray k = Scalar.times(SemTraining.koleo(cls), koleoWeight);
                    koleo = koleo == null ? k : koleo.add(k);
                }
                g.assertOutput("koleo", koleo);
                return loss.add(koleo);
            });
            dino.updateCenter(teacher);
            g.assertOutput("center", dino.center());

            float[] schedule = g.floats("output.teacher_temp_schedule");
            float[] ours = new float[schedule.length];
            for (int s = 0; s < ours.length; s++) {
                ours[s] = (float) DinoLoss.teacherTemp(0.04, 0.07, g.ints("input.schedule_warmup")[0], s);
            }
            g.assertClose("output.teacher_temp_schedule", schedule, ours, Golden.OUTPUT_TOL);
        }
    }

    @Test
    void koleoMatchesKoLeoLoss() {
        Golden g = Golden.load("sem-koleo");
        try (NDManager m = NDManager.newBaseManager()) {
            for (String key : new String[] {"x", "x_close"}) {
                NDArray x = g.array(m, "input." + key);
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = SemTraining.koleo(x);
                    g.assertOutput(key.equals("x") ? "loss" : "loss_close", loss);
                    gc.backward(loss);
                }
                g.assertClose("grad." + key, x.getGradient(), Golden.GRAD_TOL);
            }
        }
    }

    @Test
    void ibotPatchLossMatchesIbotPatchLoss() {
        Golden g = Golden.load("sem-ibot");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray student = g.array(m, "input.student");
            NDArray teacher = g.array(m, "input.teacher");
            int images = Math.toIntExact(g.get("input.masks").shape()[0]);
            DinoLoss ibot = new DinoLoss(0.1, 0.9, g.array(m, "input.center"));
            NDArray weights = g.array(m, "output.weights");
            student.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = ibot.patchLoss(student, teacher, weights, images, g.scalar("input.teacher_temp"));
                g.assertOutput("loss", loss);
                gc.backward(loss);
            }
            g.assertClose("grad.student", student.getGradient(), Golden.GRAD_TOL);
            ibot.updateCenter(List.of(teacher));
            g.assertOutput("center", ibot.center());
        }
    }

    @Test
    void vitBackboneMatchesDinoVisionTransformerWithSem() {
        Golden g = Golden.load("sem-backbone");
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            SemEncoder enc = new SemEncoder(p, vit(16, 32, 2, 2, 2.0), new Rng(0));
            g.loadInto(p);
            NDArray x = g.array(m, "input.x");
            int[] maskBits = g.ints("input.masks");
            float[] maskValues = new float[maskBits.length];
            for (int i = 0; i < maskBits.length; i++) {
                maskValues[i] = maskBits[i];
            }
            NDArray masks = m.create(maskValues, new Shape(g.get("input.masks").shape()));
            SemEncoder.Output plain = enc.forward(x, 1.0);
            g.assertOutput("cls", plain.cls());
            g.assertOutput("patches", plain.patches());
            g.assertOutput("backbone_cls", plain.backboneCls());
            SemEncoder.Output masked = enc.forward(x, 1.0, masks, true);
            g.assertOutput("cls_masked", masked.cls());
            g.assertOutput("patches_masked", masked.patches());
            NDArray wCls = g.array(m, "input.w_cls");
            NDArray wPatches = g.array(m, "input.w_patches");
            g.assertLossAndGradients(p, "loss", () -> {
                SemEncoder.Output o = enc.forward(x, 1.0, masks, true);
                return o.cls().mul(wCls).sum().add(o.patches().mul(wPatches).sum());
            });
            SemEncoder.Output local = enc.forward(g.array(m, "input.local"), 1.0);
            g.assertOutput("local_patches", local.patches());
            g.assertOutput("local_cls", local.cls());
        }
    }
}
