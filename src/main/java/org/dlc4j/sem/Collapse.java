package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

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
        long[] tokens = out.logits().argMax(-1).toLongArray();
        int length = Math.toIntExact(out.logits().getShape().get(1));
        int vocab = Math.toIntExact(out.logits().getShape().get(2));
        double usage = 0;
        for (int l = 0; l < length; l++) {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < n; i++) {
                seen.add(tokens[i * length + l]);
            }
            usage += seen.size() / (double) vocab;
        }
        Set<String> codes = new HashSet<>();
        for (int i = 0; i < n; i++) {
            StringBuilder key = new StringBuilder();
            for (int l = 0; l < length; l++) {
                key.append(tokens[i * length + l]).append(',');
            }
            codes.add(key.toString());
        }
        return new Collapse(std * Math.sqrt(d), usage / length, codes.size(), Math.toIntExact(n));
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
