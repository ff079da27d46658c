package org.dlc4j.data;

import java.util.ArrayList;
import java.util.List;
import org.dlc4j.util.Rng;

/**
 * Batches that do not let a large class drown the others: each image is drawn by first drawing its class with
 * probability ∝ √(class size) — between the data's own proportions (∝ size) and uniform classes, which would repeat a
 * class of four pictures in every batch — then a picture of that class uniformly, with replacement. A batch depends on
 * the seed and its step only, so a resumed run draws exactly the batches it would have drawn.
 */
public final class BalancedSampler {
    private final int[][] members;
    private final double[] cumulative;
    private final int batch;
    private final long seed;

    public BalancedSampler(int[] labels, int batch, long seed) {
        int classes = 0;
        for (int l : labels) {
            classes = Math.max(classes, l + 1);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        members = byClass.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        cumulative = new double[classes];
        double total = 0;
        for (int k = 0; k < classes; k++) {
            total += Math.sqrt(members[k].length);
            cumulative[k] = total;
        }
        for (int k = 0; k < classes; k++) {
            cumulative[k] /= total;
        }
        this.batch = batch;
        this.seed = seed;
    }

    /** The probability that a drawn image is of class {@code k}. */
    public double classProbability(int k) {
        return cumulative[k] - (k == 0 ? 0 : cumulative[k - 1]);
    }

    /** The indices of batch number {@code step}. */
    public int[] batch(long step) {
        Rng rng = new Rng(seed * 0x9E3779B97F4A7C15L + step);
        int[] out = new int[batch];
        for (int b = 0; b < batch; b++) {
            double u = rng.nextDouble();
            int k = 0;
            while (k < cumulative.length - 1 && (u >= cumulative[k] || members[k].length == 0)) {
                k++;
            }
            out[b] = members[k][rng.nextInt(members[k].length)];
        }
        return out;
    }
}
