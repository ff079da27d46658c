package org.dlc4j.data;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Any picture as the models see Fashion-MNIST: {@code size}×{@code size} grey, a light object on a dark background.
 * The picture is turned grey (colour by luma, transparency on white), shrunk or grown to fit the square by averaging
 * the area each new pixel covers, centred with a black margin, and inverted when its border is mostly light (a photo
 * of a shoe on a white table becomes a light shoe on black, as the data set draws it).
 */
public final class ModelView {
    private ModelView() {}

    /** The view of {@code image}: a TYPE_BYTE_GRAY image of {@code size}×{@code size}. */
    public static BufferedImage of(BufferedImage image, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] grey = PngFolderDataset.fromImages("image", List.of(image), List.of("image"), 1).pixels();
        boolean invert = borderMean(grey, w, h) > 127.5;
        double scale = Math.min((double) size / w, (double) size / h);
        int tw = Math.max(1, (int) Math.round(w * scale));
        int th = Math.max(1, (int) Math.round(h * scale));
        double[] fitted = areaResize(grey, w, h, tw, th);
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = new byte[size * size];
        int x0 = (size - tw) / 2;
        int y0 = (size - th) / 2;
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                double v = fitted[y * tw + x];
                px[(y0 + y) * size + x0 + x] = (byte) Math.round(invert ? 255 - v : v);
            }
        }
        out.getRaster().setDataElements(0, 0, size, size, px);
        return out;
    }

    /** The mean grey level of the outermost ring of pixels. */
    static double borderMean(byte[] grey, int w, int h) {
        double sum = 0;
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (y == 0 || x == 0 || y == h - 1 || x == w - 1) {
                    sum += grey[y * w + x] & 0xFF;
                    n++;
                }
            }
        }
        return sum / n;
    }

    /** Each target pixel is the mean of the source area it covers, weighted by overlap (a box filter at any ratio). */
    static double[] areaResize(byte[] src, int w, int h, int tw, int th) {
        double[] out = new double[tw * th];
        double sx = (double) w / tw;
        double sy = (double) h / th;
        for (int ty = 0; ty < th; ty++) {
            double ya = ty * sy;
            double yb = ya + sy;
            for (int tx = 0; tx < tw; tx++) {
                double xa = tx * sx;
                double xb = xa + sx;
                double sum = 0;
                double area = 0;
                for (int y = (int) ya; y < Math.min(h, Math.ceil(yb)); y++) {
                    double wy = Math.min(yb, y + 1) - Math.max(ya, y);
                    for (int x = (int) xa; x < Math.min(w, Math.ceil(xb)); x++) {
                        double wgt = wy * (Math.min(xb, x + 1) - Math.max(xa, x));
                        sum += wgt * (src[y * w + x] & 0xFF);
                        area += wgt;
                    }
                }
                out[ty * tw + tx] = sum / area;
            }
        }
        return out;
    }
}
