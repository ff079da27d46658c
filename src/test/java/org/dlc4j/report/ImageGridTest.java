package org.dlc4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path dir;

    @Test
    void valueMappingClipsAndRounds() {
        assertEquals(0, ImageGrid.toByte(-1f));
        assertEquals(0, ImageGrid.toByte(-3f));
        assertEquals(255, ImageGrid.toByte(1f));
        assertEquals(255, ImageGrid.toByte(7f));
        assertEquals(128, ImageGrid.toByte(0f)); // 127.5 rounds up
        assertEquals(191, ImageGrid.toByte(0.5f)); // 191.25
    }

    /** Four 2x3 RGB images in a 2x2 grid, 1 px padding, upscaled 2x. */
    @Test
    void writesRgbGridWithPaddingAndUpscale() throws IOException {
        int n = 4, c = 3, h = 2, w = 3;
        float[] images = new float[n * c * h * w];
        // Image i is a flat colour: i=0 red, 1 green, 2 blue, 3 grey; pixel (1, 2) of image 0 is white.
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                float v = i == 3 ? 0f : (ch == i ? 1f : -1f);
                for (int p = 0; p < h * w; p++) {
                    images[((i * c) + ch) * h * w + p] = v;
                }
            }
        }
        for (int ch = 0; ch < c; ch++) {
            images[ch * h * w + 1 * w + 2] = 1f;
        }
        var png = dir.resolve("out/grid.png");
        ImageGrid.write(png, images, n, c, h, w, 2, 1, 2);

        var img = ImageIO.read(png.toFile());
        // width: pad + 2 * (3*2 + pad) = 15; height: pad + 2 * (2*2 + pad) = 11
        assertEquals(15, img.getWidth());
        assertEquals(11, img.getHeight());
        assertEquals(ImageGrid.PAD_RGB, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(ImageGrid.PAD_RGB, img.getRGB(7, 3) & 0xFFFFFF); // gap between columns
        assertEquals(0xFF0000, img.getRGB(1, 1) & 0xFFFFFF);          // image 0 top-left
        assertEquals(0xFFFFFF, img.getRGB(1 + 2 * 2, 1 + 1 * 2) & 0xFFFFFF);     // image 0, pixel (1,2), upscaled
        assertEquals(0xFFFFFF, img.getRGB(1 + 2 * 2 + 1, 1 + 1 * 2 + 1) & 0xFFFFFF);
        assertEquals(0x00FF00, img.getRGB(8, 1) & 0xFFFFFF);          // image 1: second column
        assertEquals(0x0000FF, img.getRGB(1, 6) & 0xFFFFFF);          // image 2: second row
        assertEquals(0x808080, img.getRGB(13, 9) & 0xFFFFFF);         // image 3: bottom-right corner
    }

    @Test
    void greyAndRgbaChannels() {
        var grey = ImageGrid.toImage(new float[] {-1f, 1f}, 2, 1, 1, 1, 2, 0, 1);
        assertEquals(2, grey.getWidth());
        assertEquals(0x000000, grey.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, grey.getRGB(1, 0) & 0xFFFFFF);

        var rgba = ImageGrid.toImage(new float[] {1f, -1f, -1f, 0f}, 1, 4, 1, 1, 1, 0, 1);
        assertEquals(0x80FF0000, rgba.getRGB(0, 0));
    }

    @Test
    void partialLastRowAndTooManyColumns() {
        var img = ImageGrid.toImage(new float[3], 3, 1, 1, 1, 8, 1, 1);
        assertEquals(1 + 3 * 2, img.getWidth()); // only as many columns as images
        var twoRows = ImageGrid.toImage(new float[3], 3, 1, 1, 1, 2, 1, 1);
        assertEquals(5, twoRows.getHeight());
        assertEquals(ImageGrid.PAD_RGB, twoRows.getRGB(3, 3) & 0xFFFFFF); // empty fourth cell
    }

    @Test
    void rejectsInconsistentArguments() {
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.toImage(new float[5], 1, 1, 2, 2, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.toImage(new float[8], 1, 2, 2, 2, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.toImage(new float[4], 1, 1, 2, 2, 1, 0, 0));
    }
}
