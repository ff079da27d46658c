package org.dlc4j.report;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.dlc4j.io.AtomicFiles;

/** Tiles a batch of generated images into one PNG so samples can be inspected at a glance. */
public final class ImageGrid {
    private ImageGrid() {}

    /** Light grey: separates tiles without being mistaken for image content at either end of the range. */
    static final int PAD_RGB = 0xE0E0E0;

    public static void write(Path png, float[] images, int n, int channels, int height, int width,
                             int cols, int padPixels, int upscale) {
        writePng(png, toImage(images, n, channels, height, width, cols, padPixels, upscale));
    }

    /**
     * Images are NCHW floats in [-1, 1] (values outside are clipped, NaN shows as black). Channels: 1 grey,
     * 3 RGB or 4 RGBA. Tiles are laid out row-major, {@code upscale}× enlarged by pixel repetition, with
     * {@code padPixels} of padding around and between them.
     */
    public static BufferedImage toImage(float[] images, int n, int channels, int height, int width,
                                        int cols, int padPixels, int upscale) {
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + channels);
        }
        if (n < 1 || height < 1 || width < 1 || cols < 1 || padPixels < 0 || upscale < 1) {
            throw new IllegalArgumentException("need n, height, width, cols, upscale >= 1 and padPixels >= 0");
        }
        if (images.length != (long) n * channels * height * width) {
            throw new IllegalArgumentException("expected " + n + "x" + channels + "x" + height + "x" + width
                    + " = " + (long) n * channels * height * width + " values, got " + images.length);
        }
        int gridCols = Math.min(cols, n);
        int gridRows = (n + gridCols - 1) / gridCols;
        int tileW = width * upscale;
        int tileH = height * upscale;
        int outW = padPixels + gridCols * (tileW + padPixels);
        int outH = padPixels + gridRows * (tileH + padPixels);
        boolean alpha = channels == 4;
        int pad = alpha ? 0xFF000000 | PAD_RGB : PAD_RGB;

        int[] pixels = new int[Math.multiplyExact(outW, outH)];
        Arrays.fill(pixels, pad);
        int plane = height * width;
        for (int i = 0; i < n; i++) {
            int x0 = padPixels + (i % gridCols) * (tileW + padPixels);
            int y0 = padPixels + (i / gridCols) * (tileH + padPixels);
            int base = i * channels * plane;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int p = base + y * width + x;
                    int argb = argb(images, p, plane, channels);
                    for (int dy = 0; dy < upscale; dy++) {
                        int row = (y0 + y * upscale + dy) * outW + x0 + x * upscale;
                        Arrays.fill(pixels, row, row + upscale, argb);
                    }
                }
            }
        }
        var image = new BufferedImage(outW, outH, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, outW, outH, pixels, 0, outW);
        return image;
    }

    private static int argb(float[] images, int p, int plane, int channels) {
        return switch (channels) {
            case 1 -> {
                int v = toByte(images[p]);
                yield 0xFF000000 | v << 16 | v << 8 | v;
            }
            case 3 -> 0xFF000000 | toByte(images[p]) << 16 | toByte(images[p + plane]) << 8 | toByte(images[p + 2 * plane]);
            default -> toByte(images[p + 3 * plane]) << 24 | toByte(images[p]) << 16
                    | toByte(images[p + plane]) << 8 | toByte(images[p + 2 * plane]);
        };
    }

    /** [-1, 1] → 0..255, rounding to nearest; NaN becomes 0 through Math.round. */
    static int toByte(float v) {
        float clipped = Math.max(-1f, Math.min(1f, v));
        return Math.round((clipped + 1f) * 127.5f);
    }

    /** Encodes in memory (no ImageIO disk cache) and replaces {@code png} atomically. */
    public static void writePng(Path png, BufferedImage image) {
        AtomicFiles.write(png, out -> {
            var writer = ImageIO.getImageWritersByFormatName("png").next();
            try (var stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(image);
            } finally {
                writer.dispose();
            }
        });
    }
}
