package org.dlc4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Classes drawn ∝ √size, pictures uniformly within a class, and every batch fixed by its step alone. */
class BalancedSamplerTest {
    @Test
    void drawsClassesInProportionToTheRootOfTheirSize() {
        int[] labels = new int[900 + 100 + 4];
        for (int i = 900; i < 1000; i++) {
            labels[i] = 1;
        }
        for (int i = 1000; i < labels.length; i++) {
            labels[i] = 2;
        }
        BalancedSampler s = new BalancedSampler(labels, 64, 7);
        double total = 30 + 10 + 2;
        assertEquals(30 / total, s.classProbability(0), 1e-12);
        assertEquals(2 / total, s.classProbability(2), 1e-12);
        int[] counts = new int[3];
        for (long step = 0; step < 2000; step++) {
            for (int i : s.batch(step)) {
                counts[labels[i]]++;
            }
        }
        double n = 2000 * 64;
        for (int k = 0; k < 3; k++) {
            assertEquals(s.classProbability(k), counts[k] / n, 0.01, "class " + k);
        }
        assertArrayEquals(s.batch(123), new BalancedSampler(labels, 64, 7).batch(123), "a batch depends on the seed and the step only");
    }
}
