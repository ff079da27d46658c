package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import org.dlc4j.data.DlcFile;

/**
 * Whether a self-supervised encoder has collapsed, read off its outputs on a batch of real images: the standard
 * deviation over the batch of its L2-normalised SEM representation, per dimension, scaled by √D (≈ 1 when the
 * representations are spread over every direction, 0 when every image maps to one vector: the measure of Jing et al.
 * 2022 and of the BYOL/SimSiam analyses), the share of V each code position uses, and the distinct codes. Two-view
 * objectives have no built-in guard against the constant solution at small batches; this is the check a run prints.
 *
 * @param spread    √D · mean over dimensions of the batch std of the unit-normalised representation
 * @param usage     mean over positions of the share of the V tokens seen at that position
 * @param distinct  distinct codes among {@code count}
 */
public record Collapse(double spread, double usage, int distinct, int count) {
    /** Below this spread the representations lie along a few directions only (a healthy encoder reads 0.3–1). */
    public static final double MIN_SPREAD = 0.05;

    /** @param out the encoder's output on a batch of at least two different images */
    public static Collapse of(SemEncoder.Output out) {
        NDArray x = out.cls();
        long n = x.getShape().get(0);
        long d = x.getShape().get(1);
        NDArray unit = x.div(x.norm(new int[] {-1}, true).maximum(1e-12f));
        NDArray centred = unit.sub(unit.mean(new int[] {0}, true));
        double std = centred.square().sum(new int[] {0}).div(Math.max(1, n - 1)).sqrt().mean().getFloat();
        long[] argmax = out.logits().argMax(-1).toLongArray();
        int[] tokens = new int[argmax.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (int) argmax[i];
        }
        Shape lv = out.logits().getShape();
        CodeStats codes = CodeStats.of(new DlcFile(tokens, Math.toIntExact(lv.get(1)), Math.toIntExact(lv.get(2)), null, null, 1.0, "", "collapse check"));
        return new Collapse(std * Math.sqrt(d), codes.meanUsage(), codes.distinctCodes(), codes.count());
    }

    /** Every image gets one code, or the representations have (nearly) no spread. */
    public boolean collapsed() {
        return distinct <= 1 || spread < MIN_SPREAD;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "spread %.3f, code usage %.1f%% of V per position, %d distinct codes of %d%s", spread, 100 * usage,
                distinct, count, collapsed() ? " — COLLAPSED" : "");
    }
}
