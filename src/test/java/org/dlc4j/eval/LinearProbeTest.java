package org.dlc4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;

class LinearProbeTest {
    static final LinearProbe.Config FAST = new LinearProbe.Config(5, 64, 1e-2, new double[] {0, 1e-2}, 0.2, 3);

    /** Codes whose class is written in positions 0 and 2 (as token = class) among random tokens. */
    static int[][] codes(int n, int length, int vocab, long seed) {
        Rng rng = new Rng(seed);
        int[] tokens = new int[n * length];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(4);
            for (int l = 0; l < length; l++) {
                tokens[i * length + l] = l == 0 || l == 2 ? labels[i] : rng.nextInt(vocab);
            }
        }
        return new int[][] {tokens, labels};
    }

    @Test
    void readsTheClassOffOneHotTokensButNotOffNoise() {
        int[][] tr = codes(800, 6, 8, 1);
        int[][] te = codes(300, 6, 8, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            var r = LinearProbe.fit(new LinearProbe.Tokens(tr[0], 6, 8), tr[1], new LinearProbe.Tokens(te[0], 6, 8), te[1], 4, FAST, m);
            assertEquals(1.0, r.testAccuracy(), 1e-9, r.toString());
            // The same codes with the class positions scrambled carry no label: chance is 0.25.
            int[][] noise = codes(300, 6, 8, 2);
            Rng rng = new Rng(9);
            for (int i = 0; i < 300; i++) {
                noise[0][i * 6] = rng.nextInt(8);
                noise[0][i * 6 + 2] = rng.nextInt(8);
            }
            var chance = LinearProbe.fit(new LinearProbe.Tokens(tr[0], 6, 8), tr[1], new LinearProbe.Tokens(noise[0], 6, 8), noise[1], 4, FAST, m);
            assertTrue(chance.testAccuracy() < 0.4, chance.toString());
        }
    }

    @Test
    void standardisedVectorsOfShiftedGaussiansAreSeparated() {
        Rng rng = new Rng(4);
        int n = 600;
        int d = 5;
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < d; j++) {
                // Large offset and scale: standardisation is what makes one learning rate fit.
                x[i * d + j] = (float) (1000 + 50 * (rng.nextGaussian() + (j == 0 ? 4 * y[i] : 0)));
            }
        }
        var all = new FeatureMatrix(n, d, x);
        var train = LinearProbe.Vectors.standardised(all.slice(0, 400));
        int[] ytr = java.util.Arrays.copyOfRange(y, 0, 400);
        int[] yte = java.util.Arrays.copyOfRange(y, 400, n);
        try (NDManager m = NDManager.newBaseManager()) {
            var r = LinearProbe.fit(train, ytr, train.like(all.slice(400, n)), yte, 2, FAST, m);
            assertTrue(r.testAccuracy() > 0.95, r.toString());
        }
    }

    @Test
    void badInputsAreNamed() {
        var e = assertThrows(InvalidInputException.class, () -> new LinearProbe.Tokens(new int[] {0, 9}, 2, 8));
        assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
        var v = LinearProbe.Vectors.standardised(new FeatureMatrix(2, 3, new float[6]));
        e = assertThrows(InvalidInputException.class, () -> v.like(new FeatureMatrix(2, 4, new float[8])));
        assertTrue(e.getMessage().contains("dimensions"), e.getMessage());
    }
}
