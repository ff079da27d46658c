package org.dlc4j.compose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dlc4j.dit.Condition;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;

class MixingTest {
    private static final int L = 8;
    private static final int V = 5;

    /** A source whose every position holds {@code token}, with one-hot distributions and a constant SEM vector. */
    private static Source constant(String name, int token, float semValue) {
        int[] code = new int[L];
        float[] probs = new float[L * V];
        for (int l = 0; l < L; l++) {
            code[l] = token;
            probs[l * V + token] = 1;
        }
        return new Source(name, L, V, code, probs, new float[] {semValue, 2 * semValue}, -1, "enc");
    }

    private static Source random(String name, long seed) {
        Rng rng = new Rng(seed);
        return new Source(name, L, V, rng.ints(L, V), null, null, -1, "enc");
    }

    @Test
    void weightOneOnASourceReproducesItsCode() {
        List<Source> s = List.of(random("a", 1), random("b", 2), random("c", 3));
        int[] mixed = Mixing.codes(s, new double[] {0, 1, 0}, 20, new Rng(4));
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(s.get(1).code(), java.util.Arrays.copyOfRange(mixed, i * L, (i + 1) * L));
        }
        List<Source> oneHot = List.of(constant("a", 1, 0), constant("b", 3, 0));
        int[] drawn = Mixing.distributions(oneHot, new double[] {2, 0}, 10, new Rng(5));
        for (int t : drawn) {
            assertEquals(1, t, "one-hot distributions with all the weight on a give a's code");
        }
    }

    @Test
    void eachPositionPicksASourceWithTheFrequencyOfItsWeight() {
        List<Source> s = List.of(constant("a", 0, 0), constant("b", 1, 0), constant("c", 2, 0));
        int n = 4000;
        int[] mixed = Mixing.codes(s, new double[] {5, 3, 2}, n, new Rng(6));
        int[] counts = new int[V];
        for (int t : mixed) {
            counts[t]++;
        }
        // 32,000 draws: the standard error of a frequency is below 0.003; 0.015 is five of them.
        assertEquals(0.5, counts[0] / (double) mixed.length, 0.015);
        assertEquals(0.3, counts[1] / (double) mixed.length, 0.015);
        assertEquals(0.2, counts[2] / (double) mixed.length, 0.015);
        // Positions choose independently: new codes are mosaics, not copies of one source.
        int mosaics = 0;
        for (int i = 0; i < n; i++) {
            int first = mixed[i * L];
            for (int l = 1; l < L; l++) {
                if (mixed[i * L + l] != first) {
                    mosaics++;
                    break;
                }
            }
        }
        assertTrue(mosaics > 0.95 * n, mosaics + " of " + n);
    }

    @Test
    void distributionMixingDrawsFromTheWeightedMeanDistribution() {
        float[] pa = new float[L * V];
        float[] pb = new float[L * V];
        for (int l = 0; l < L; l++) {
            pa[l * V] = 0.5f;
            pa[l * V + 1] = 0.5f;
            pb[l * V + 4] = 1f;
        }
        List<Source> s = List.of(new Source("a", L, V, new int[L], pa, null, -1, ""), new Source("b", L, V, new int[L], pb, null, -1, ""));
        int[] drawn = Mixing.distributions(s, new double[] {0.75, 0.25}, 4000, new Rng(7));
        int[] counts = new int[V];
        for (int t : drawn) {
            counts[t]++;
        }
        assertEquals(0.375, counts[0] / (double) drawn.length, 0.015);
        assertEquals(0.375, counts[1] / (double) drawn.length, 0.015);
        assertEquals(0.25, counts[4] / (double) drawn.length, 0.015);
        assertEquals(0, counts[2] + counts[3], "tokens with no mass in any source are never drawn");
    }

    @Test
    void embeddingAveragingIsTheWeightedMeanTiledOverSamples() {
        List<Source> s = List.of(constant("a", 0, 1f), constant("b", 1, 3f));
        assertArrayEquals(new float[] {1.5f, 3f}, Mixing.vectors(s, new double[] {3, 1}), 1e-6f);
        Condition c = Composition.condition(Composition.Method.EMBEDDING, s, null, 3, new Rng(0));
        assertEquals(3, c.count());
        assertArrayEquals(new float[] {2, 4, 2, 4, 2, 4}, c.vectors(), 1e-6f);
    }

    @Test
    void badInputsAreRefusedWithTheirFix() {
        List<Source> two = List.of(random("a", 1), random("b", 2));
        assertMessage(() -> Mixing.codes(List.of(random("a", 1)), null, 1, new Rng(0)), "at least two sources");
        Source wide = new Source("w", L, V + 1, new int[L], null, null, -1, "enc");
        assertMessage(() -> Mixing.codes(List.of(random("a", 1), wide), null, 1, new Rng(0)), "8×5", "8×6");
        Source other = new Source("o", L, V, new int[L], null, null, -1, "other");
        assertMessage(() -> Mixing.codes(List.of(random("a", 1), other), null, 1, new Rng(0)), "different SEM encoders");
        assertMessage(() -> Mixing.codes(two, new double[] {0, 0}, 1, new Rng(0)), "sum to 0");
        assertMessage(() -> Mixing.codes(two, new double[] {1, -1}, 1, new Rng(0)), "-1.0", "≥ 0");
        assertMessage(() -> Mixing.codes(two, new double[] {1, Double.NaN}, 1, new Rng(0)), "NaN");
        assertMessage(() -> Mixing.codes(two, new double[] {1, 2, 3}, 1, new Rng(0)), "3 weights for 2 sources");
        assertMessage(() -> Mixing.distributions(two, null, 1, new Rng(0)), "no SEM distributions");
        assertMessage(() -> Mixing.vectors(two, null), "needs images");
        assertMessage(() -> new Source("t", L, V, new int[] {0, 0, 0, 0, 0, 0, 0, 5}, null, null, -1, ""), "token 5", "0..4");
        assertMessage(() -> Composition.condition(Composition.Method.CODE, two, null, 0, new Rng(0)), "n must be at least 1");
        assertMessage(() -> Composition.Method.parse("average"), "'average'");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String... parts) {
        String m = assertThrows(InvalidInputException.class, e).getMessage();
        for (String p : parts) {
            assertTrue(m.contains(p), m + " lacks " + p);
        }
    }
}
