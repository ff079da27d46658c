package org.dlc4j;

import java.util.List;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.util.Rng;

/** Small synthetic image sets for tests that need images but not real ones. */
public final class TestImages {
    private TestImages() {}

    /** n sparse binary-noise images (a quarter of the pixels at 200), labels i mod 10. */
    public static ImageDataset noise(int n, int size, long seed) {
        Rng rng = new Rng(seed);
        byte[] px = new byte[n * size * size];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (rng.nextInt(4) == 0 ? 200 : 0);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        return new ImageDataset("noise", n, 1, size, size, px, labels, null, List.of());
    }
}
