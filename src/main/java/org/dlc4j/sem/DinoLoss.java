package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.dlc4j.nn.Scalar;

/**
 * DINO's self-distillation loss ({@code dino_clstoken_loss.py}): the teacher's centred, sharpened softmax over the
 * prototypes is the target for the student's softmax at a higher temperature, for every pair of a teacher global
 * crop and a different student crop, averaged over the pairs. The centre is an EMA of the teacher's outputs, which
 * with sharpening keeps the output from collapsing to one prototype or to uniform.
 */
public final class DinoLoss {
    private final double studentTemp;
    private final double centerMomentum;
    private final NDArray center;

    /** @param center a [1, K] buffer owned by the caller (so a trainer can checkpoint it), initially zeros */
    public DinoLoss(double studentTemp, double centerMomentum, NDArray center) {
        this.studentTemp = studentTemp;
        this.centerMomentum = centerMomentum;
        this.center = center;
    }

    /**
     * DINO's teacher temperature: linear warm-up from {@code start} to {@code end} over {@code warmupSteps}, then
     * constant. As DINOv2's {@code CosineScheduler}, the warm-up is {@code np.linspace(start, end, warmupSteps)}: its
     * last step already reaches {@code end}.
     */
    public static double teacherTemp(double start, double end, long warmupSteps, long step) {
        if (step >= warmupSteps) {
            return end;
        }
        return warmupSteps == 1 ? start : start + (end - start) * step / (double) (warmupSteps - 1);
    }

    public NDArray center() {
        return center;
    }

    /**
     * @param student one [B, K] score matrix per crop, the global crops first
     * @param teacher one [B, K] score matrix per global crop (computed without gradient)
     * @return the mean cross-entropy over pairs (i, j), i a teacher crop, j a student crop, i ≠ j
     */
    public NDArray loss(List<NDArray> student, List<NDArray> teacher, double teacherTemp) {
        NDArray total = null;
        int pairs = 0;
        for (int i = 0; i < teacher.size(); i++) {
            NDArray target = Scalar.over(teacher.get(i).sub(center), teacherTemp).softmax(-1).stopGradient();
            for (int j = 0; j < student.size(); j++) {
                if (i == j) {
                    continue;
                }
                NDArray ce = target.mul(Scalar.over(student.get(j), studentTemp).logSoftmax(-1)).sum(new int[] {-1}).neg().mean();
                total = total == null ? ce : total.add(ce);
                pairs++;
            }
        }
        return Scalar.over(total, pairs);
    }

    /**
     * iBOT's masked-patch loss, with this instance's centre: the same cross-entropy per masked patch, each patch
     * weighted by 1 / (masked patches of its image), summed and divided by the number of global-crop images, masked or
     * not (DINOv2's {@code iBOTPatchLoss.forward_masked}: {@code / student_masks_flat.shape[0]}), so an image without a
     * mask counts as a zero term.
     *
     * @param student [M, K] student scores of the masked patches
     * @param teacher [M, K] teacher scores of the same patches, seen unmasked
     * @param weights [M] the per-patch weights
     * @param images  the global-crop images the masks were drawn for (2B)
     */
    public NDArray patchLoss(NDArray student, NDArray teacher, NDArray weights, int images, double teacherTemp) {
        NDArray target = Scalar.over(teacher.sub(center), teacherTemp).softmax(-1).stopGradient();
        NDArray ce = target.mul(Scalar.over(student, studentTemp).logSoftmax(-1)).sum(new int[] {-1}).neg();
        return Scalar.over(ce.mul(weights).sum(), images);
    }

    /** center ← m·center + (1 − m)·mean of the teacher's scores over the batch and its global crops. */
    public void updateCenter(List<NDArray> teacher) {
        NDArray sum = null;
        long rows = 0;
        for (NDArray t : teacher) {
            NDArray s = t.stopGradient().sum(new int[] {0}, true);
            sum = sum == null ? s : sum.add(s);
            rows += t.getShape().get(0);
        }
        NDArray batchCenter = sum.div(rows);
        center.muli(centerMomentum).addi(batchCenter.mul(1 - centerMomentum));
    }
}
