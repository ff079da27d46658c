package org.dlc4j.util;

/**
 * The project's only source of randomness: SplitMix64, whose whole state is one {@code long}.
 * Owning the generator (instead of libtorch's global one) is what makes runs reproducible across
 * engines and lets a resumed training run continue with exactly the numbers it would have drawn.
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The full state; {@code new Rng(rng.state())} continues the same stream. */
    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    /**
     * The stream of item {@code index} of a run seeded {@code seed}: a function of the two alone, so that whoever draws item
     * i (another machine, partition or resumed run) draws the same numbers.
     */
    public static Rng forIndex(long seed, long index) {
        Rng mixed = new Rng(seed);
        mixed.state += index * 0xD1B54A32D192ED03L; // an odd constant: distinct indices give distinct states
        return new Rng(mixed.nextLong());
    }

    /** An independent stream derived from this one (advances this stream by one draw). */
    public Rng split() {
        return new Rng(nextLong() ^ 0x5DEECE66DL);
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long limit = Long.remainderUnsigned(-1L, bound); // values below this would be over-represented
        while (true) {
            long r = nextLong();
            if (Long.compareUnsigned(r, -1L - limit) <= 0) {
                return (int) Long.remainderUnsigned(r, bound);
            }
        }
    }

    /** Standard normal by Box–Muller; consumes exactly two draws so the state stays a single long. */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]: log is finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    public float[] gaussians(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - nextDouble();
            double u2 = nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            out[i] = (float) (r * Math.cos(2.0 * Math.PI * u2));
            if (i + 1 < n) {
                out[i + 1] = (float) (r * Math.sin(2.0 * Math.PI * u2));
            }
        }
        return out;
    }

    public float[] uniforms(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) nextDouble();
        }
        return out;
    }

    public int[] ints(int n, int bound) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = nextInt(bound);
        }
        return out;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
