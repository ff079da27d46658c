package org.dlc4j.data;

import static org.dlc4j.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
    /** Four 1×2×2 images: image i has pixels 10i .. 10i+3. */
    static ImageDataset tiny() {
        byte[] pixels = new byte[16];
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 4; k++) {
                pixels[i * 4 + k] = (byte) (10 * i + k);
            }
        }
        return new ImageDataset("tiny", 4, 1, 2, 2, pixels, new int[] {0, 1, 2, 1},
                List.of("a", "b", "c", "d"), List.of("zero", "one", "two"));
    }

    @Test
    void batchScalesToMinusOneOne() {
        byte[] pixels = {0, (byte) 255, (byte) 127, (byte) 128};
        var ds = new ImageDataset("scale", 4, 1, 1, 1, pixels, null, null, null);
        assertArrayEquals(new float[] {1f, -1f, 1f / 255f}, ds.batch(new int[] {1, 0, 3}), 1e-6f);
        assertArrayEquals(new float[] {-1f / 255f}, ds.image(2), 1e-6f);
        assertEquals(0, ds.numClasses());
        assertEquals(List.of(), ds.classNames());
    }

    @Test
    void batchAndLabelsFollowTheIndices() {
        var ds = tiny();
        float[] batch = ds.batch(new int[] {2, 0});
        assertEquals(8, batch.length);
        assertEquals(20 / 127.5f - 1f, batch[0], 1e-6f);
        assertEquals(3 / 127.5f - 1f, batch[7], 1e-6f);
        assertArrayEquals(new int[] {2, 0, 1}, ds.labelsOf(new int[] {2, 0, 3}));
        assertEquals(3, ds.numClasses());
        assertThrows(IndexOutOfBoundsException.class, () -> ds.batch(new int[] {4}));
    }

    @Test
    void sliceAndTakeCopyTheirRange() {
        var part = tiny().slice(1, 3);
        assertEquals(2, part.count());
        assertArrayEquals(new byte[] {10, 11, 12, 13, 20, 21, 22, 23}, part.pixels());
        assertArrayEquals(new int[] {1, 2}, part.labels());
        assertEquals(List.of("b", "c"), part.captions());
        assertEquals(tiny().classNames(), part.classNames());
        assertEquals(1, tiny().take(1).count());
        var ds = tiny();
        assertSame(ds, ds.take(10));
    }

    @Test
    void padToCentresOnBlack() {
        byte[] pixels = new byte[28 * 28];
        java.util.Arrays.fill(pixels, (byte) 200);
        var padded = new ImageDataset("square", 1, 1, 28, 28, pixels, null, null, null).padTo(32);
        assertEquals(32, padded.height());
        assertEquals(32, padded.width());
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                assertEquals(inside ? 200 : 0, padded.pixels()[y * 32 + x] & 0xFF, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void padToKeepsImagesAndChannelsApart() {
        // Two 2-channel 1×1 images padded to 3×3: each plane's single pixel lands in its centre.
        var ds = new ImageDataset("planes", 2, 2, 1, 1, new byte[] {1, 2, 3, 4}, new int[] {5, 6}, null, null).padTo(3);
        for (int plane = 0; plane < 4; plane++) {
            assertEquals(plane + 1, ds.pixels()[plane * 9 + 4]);
        }
        assertArrayEquals(new int[] {5, 6}, ds.labels());
        var same = tiny();
        assertSame(same, same.padTo(2));
        assertUserError(() -> tiny().padTo(1), "tiny", "at least 2");
    }

    @Test
    void fromBatchInvertsBatch() {
        var ds = tiny();
        var back = ImageDataset.fromBatch("back", ds.batch(new int[] {0, 1, 2, 3}), 1, 2, 2);
        assertArrayEquals(ds.pixels(), back.pixels());
        var clamped = ImageDataset.fromBatch("clamped", new float[] {-3f, 3f, Float.NaN}, 1, 1, 1);
        assertArrayEquals(new byte[] {0, (byte) 255, 0}, clamped.pixels());
    }

    @Test
    void constructorValidates() {
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x", 2, 1, 2, 2, new byte[7], null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x", 1, 0, 2, 2, new byte[0], null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x", 1, 1, 1, 1, new byte[1], new int[2], null, null));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x", 1, 1, 1, 1, new byte[1], new int[] {-1}, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x", 1, 1, 1, 1, new byte[1], new int[] {2}, null, List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x", 1, 1, 1, 1, new byte[1], null, List.of(), null));
        assertThrows(IllegalStateException.class, () -> new ImageDataset("x", 1, 1, 1, 1, new byte[1], null, null, null).labelsOf(new int[] {0}));
    }
}
