package org.dlc4j.data;

import java.util.Arrays;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * Shuffled mini-batches of indices 0..n-1, epoch after epoch, that a resumed training run can continue
 * exactly: each epoch's order depends only on (seed, epoch), so the whole state is the number of batches
 * served, which a checkpoint stores as one long.
 */
public final class BatchSampler {
    private final int n;
    private final int batchSize;
    private final boolean dropLast;
    private final long seed;
    private final int batchesPerEpoch;

    private int epoch;
    private int batchInEpoch;
    private int[] order; // this epoch's permutation, drawn lazily

    /** @param dropLast whether to skip each epoch's last, smaller batch (keeps every batch the same shape) */
    public BatchSampler(int n, int batchSize, boolean dropLast, long seed) {
        if (n < 1 || batchSize < 1) {
            throw new IllegalArgumentException("need n >= 1 and batchSize >= 1, got n=%d batchSize=%d".formatted(n, batchSize));
        }
        if (dropLast && batchSize > n) {
            throw new InvalidInputException("batch size %d is larger than the %d training images, and the incomplete batch is dropped, so there would be no batches: use a batch size of at most %d"
                    .formatted(batchSize, n, n));
        }
        this.n = n;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.seed = seed;
        this.batchesPerEpoch = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** A sampler whose next {@link #next()} returns what the {@code batchesServed + 1}-th call of a fresh one would. */
    public static BatchSampler resumeAt(int n, int batchSize, boolean dropLast, long seed, long batchesServed) {
        if (batchesServed < 0) {
            throw new IllegalArgumentException("batchesServed must be >= 0: " + batchesServed);
        }
        var sampler = new BatchSampler(n, batchSize, dropLast, seed);
        sampler.epoch = Math.toIntExact(batchesServed / sampler.batchesPerEpoch);
        sampler.batchInEpoch = (int) (batchesServed % sampler.batchesPerEpoch);
        return sampler;
    }

    /** The next batch of indices; the last batch of an epoch is smaller unless dropped. */
    public int[] next() {
        if (order == null) {
            order = permutation(seed, epoch, n);
        }
        int from = batchInEpoch * batchSize;
        int[] batch = Arrays.copyOfRange(order, from, Math.min(n, from + batchSize));
        if (++batchInEpoch == batchesPerEpoch) {
            epoch++;
            batchInEpoch = 0;
            order = null;
        }
        return batch;
    }

    /**
     * Epoch e's order. The (seed, e) mix goes through one SplitMix64 output before seeding because seeding
     * with {@code seed ^ e·γ} directly makes, for seed 0, epoch e's random stream epoch 0's shifted by e
     * draws; Fisher–Yates' changing bounds hide most of that, the extra step removes the overlap outright.
     */
    private static int[] permutation(long seed, int epoch, int n) {
        long epochSeed = new Rng(seed ^ (epoch * 0x9E3779B97F4A7C15L)).nextLong();
        return new Rng(epochSeed).permutation(n);
    }

    public long batchesServed() {
        return (long) epoch * batchesPerEpoch + batchInEpoch;
    }

    /** The epoch the next batch comes from, counting from 0. */
    public int epoch() {
        return epoch;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    public int batchSize() {
        return batchSize;
    }

    public int size() {
        return n;
    }
}
