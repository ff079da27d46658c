package org.dlc4j.sem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

/** The crops of colour images: every channel cut alike, colour kept on most views, grey pictures unchanged by the colour steps. */
class MultiCropTest {
    static float[] ramp(int size, int seed) {
        float[] x = new float[size * size];
        Rng r = new Rng(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * r.nextDouble() - 1);
        }
        return x;
    }

    @Test
    void aGreyPictureInThreeChannelsGetsTheSameCropInEachChannel() {
        int size = 16;
        int batch = 4;
        float[] grey = new float[batch * size * size];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ramp(size, b), 0, grey, b * size * size, size * size);
        }
        float[] rgb = new float[3 * grey.length];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(grey, b * size * size, rgb, (b * 3 + c) * size * size, size * size);
            }
        }
        MultiCrop crops = MultiCrop.tiny().withScales(new double[] {0.3, 1.0}, new double[] {0.1, 0.3});
        var v = crops.apply(rgb, batch, 3, size, new Rng(7));
        assertEquals(2, v.global().length);
        assertEquals(batch * 3 * size * size, v.global()[0].length);
        int ls = crops.localSize();
        assertEquals(batch * 3 * ls * ls, v.local()[0].length);
        for (float[][] set : new float[][][] {v.global(), v.local()}) {
            int side = set == v.global() ? size : ls;
            int plane = side * side;
            for (float[] view : set) {
                for (int b = 0; b < batch; b++) {
                    int o = b * 3 * plane;
                    float[] r = java.util.Arrays.copyOfRange(view, o, o + plane);
                    assertArrayEquals(r, java.util.Arrays.copyOfRange(view, o + plane, o + 2 * plane), 1e-5f, "green = red");
                    assertArrayEquals(r, java.util.Arrays.copyOfRange(view, o + 2 * plane, o + 3 * plane), 1e-5f, "blue = red");
                }
            }
        }
        // One channel: the same crops as the one-channel call, draw for draw.
        assertArrayEquals(crops.apply(grey, batch, size, new Rng(3)).global()[1], crops.apply(grey, batch, 1, size, new Rng(3)).global()[1]);
    }

    @Test
    void aRedPictureStaysRedOnMostViewsAndTurnsGreyOnSome() {
        int size = 8;
        int n = 200;
        int plane = size * size;
        float[] red = new float[n * 3 * plane];
        for (int b = 0; b < n; b++) {
            java.util.Arrays.fill(red, b * 3 * plane, b * 3 * plane + plane, 0.8f);
            java.util.Arrays.fill(red, b * 3 * plane + plane, (b + 1) * 3 * plane, -0.8f);
        }
        var v = MultiCrop.twoView().apply(red, n, 3, size, new Rng(1));
        int reddish = 0;
        int grey = 0;
        for (int b = 0; b < n; b++) {
            int o = b * 3 * plane;
            float r = v.global()[0][o];
            float g = v.global()[0][o + plane];
            if (r > g + 0.5f) {
                reddish++;
            } else if (Math.abs(r - g) < 1e-5f) {
                grey++;
            }
        }
        assertEquals(n, reddish + grey, "either colour or grey, nothing else");
        assertTrue(grey > n * 0.1 && grey < n * 0.3, "about a fifth turn grey: " + grey);
    }
}
