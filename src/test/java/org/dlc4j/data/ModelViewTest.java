package org.dlc4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Any picture becomes a 28×28 light-on-dark grey view; a Fashion-MNIST image stays exactly itself. */
class ModelViewTest {
    static int[] grey(BufferedImage image) {
        return image.getRaster().getSamples(0, 0, image.getWidth(), image.getHeight(), 0, (int[]) null);
    }

    @Test
    void aFashionMnistImageIsItsOwnView() throws Exception {
        BufferedImage q = ImageIO.read(Path.of("assets/fmnist/queries/test01000.png").toFile());
        BufferedImage v = ModelView.of(q, 28);
        assertArrayEquals(grey(q), grey(v));
    }

    @Test
    void aWidePhotoOnWhiteIsShrunkCentredAndInverted() {
        BufferedImage photo = new BufferedImage(300, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = photo.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 300, 100);
        g.setColor(Color.BLACK);
        g.fillRect(120, 20, 60, 60);
        g.dispose();
        BufferedImage v = ModelView.of(photo, 28);
        assertEquals(28, v.getWidth());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, v.getType());
        int[] px = grey(v);
        // 300×100 → 28×9 (rounded 9.33), centred: rows 9..17 hold the photo, the rest is the black margin.
        assertEquals(0, px[0]);
        assertEquals(0, px[27 * 28 + 27]);
        assertEquals(255, px[13 * 28 + 14], "the dark square becomes light");
        assertEquals(0, px[13 * 28 + 2], "the white table becomes black");
    }

    @Test
    void areaAveragingKeepsTheMean() {
        byte[] src = new byte[8 * 8];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) (i * 4);
        }
        double[] out = ModelView.areaResize(src, 8, 8, 3, 3);
        double in = 0;
        for (byte b : src) {
            in += b & 0xFF;
        }
        double sum = 0;
        for (double v : out) {
            sum += v;
        }
        assertEquals(in / 64, sum / 9, 1e-9);
        assertTrue(out[0] < out[8]);
    }
}
