package org.dlc4j.parity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The seeded weights of {@code parity/hashed.py}, recomputed bit for bit: a tensor of the released sizes is a function
 * of its name, so the goldens of those sizes carry outputs only. Value i of tensor {@code name} is
 * float32(offset + scale·(2u − 1)) with u the top 24 bits of SplitMix64 output i of a stream seeded by the first 8
 * bytes of SHA-256(name).
 */
public final class HashedWeights {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private HashedWeights() {
    }

    static long seed(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            long s = 0;
            for (int i = 7; i >= 0; i--) {
                s = s << 8 | (h[i] & 0xFF);
            }
            return s;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Values [start, start + out.length) of the tensor's flat row-major order. */
    public static void fill(String name, double scale, double offset, long start, float[] out) {
        long seed = seed(name);
        // Each value depends on its index only, so pieces can be computed on every core (the released SEM head has 805M).
        int piece = 1 << 20;
        java.util.stream.IntStream.range(0, (out.length + piece - 1) / piece).parallel().forEach(p -> {
            for (int k = p * piece, end = Math.min(out.length, k + piece); k < end; k++) {
                long z = seed + (start + k + 1) * GAMMA;
                z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
                z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
                z = z ^ z >>> 31;
                double u = (z >>> 40) * 0x1.0p-24;
                out[k] = (float) (offset + scale * (2.0 * u - 1.0));
            }
        });
    }

    /** The whole tensor of {@code count} values. */
    public static float[] values(String name, int count, double scale, double offset) {
        float[] out = new float[count];
        fill(name, scale, offset, 0, out);
        return out;
    }
}
