package org.dlc4j.nn;

import ai.djl.ndarray.NDScope;

/** Inference over a data set in fixed-size batches, each in its own scope so native memory stays flat. */
public final class Batches {
    private Batches() {}

    /** What is done with one batch: rows {@code start} .. {@code start + rows.length − 1}. */
    @FunctionalInterface
    public interface Body {
        void accept(int start, int[] rows);
    }

    /** Calls {@code body} for rows 0..n−1 in order, {@code batch} at a time; arrays created inside are freed after each call. */
    public static void inOrder(int n, int batch, Body body) {
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            int[] rows = new int[m];
            for (int i = 0; i < m; i++) {
                rows[i] = start + i;
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                body.accept(start, rows);
            }
        }
    }
}
