package org.dlc4j.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.dlc4j.data.ImageDataset;

/** Images as the PNG bytes the jobs store in Parquet: lossless, so the pixels read back are the ones written. */
final class Pngs {
    private Pngs() {}

    /** Image {@code i} of {@code set} (1 or 3 channels, 8 bits) as PNG bytes. */
    static byte[] encode(ImageDataset set, int i) {
        int h = set.height();
        int w = set.width();
        int plane = h * w;
        byte[] px = set.pixels();
        int base = i * set.channels() * plane;
        BufferedImage image = new BufferedImage(w, h, set.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < plane; p++) {
            int x = p % w;
            int y = p / w;
            if (set.channels() == 1) {
                image.getRaster().setSample(x, y, 0, px[base + p] & 0xFF);
            } else {
                image.setRGB(x, y, (px[base + p] & 0xFF) << 16 | (px[base + plane + p] & 0xFF) << 8 | px[base + 2 * plane + p] & 0xFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
