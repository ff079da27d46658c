package org.dlc4j.eval;

import java.util.List;
import java.util.stream.IntStream;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageOps;
import org.dlc4j.util.Rng;

/** Known corruptions of an image set, for checking that each metric moves the way it should. */
public final class Degrade {
    private Degrade() {}

    /** Adds N(0, σ²) to every pixel in [−1, 1] units, clamped and re-quantised. */
    public static ImageDataset noise(ImageDataset ds, double sigma, Rng rng) {
        byte[] px = ds.pixels();
        byte[] out = new byte[px.length];
        for (int i = 0; i < px.length; i++) {
            double v = (px[i] & 0xFF) / 127.5 - 1 + sigma * rng.nextGaussian();
            out[i] = quantise(v);
        }
        return with(ds, ds.name() + "+noise" + sigma, out);
    }

    /** Gaussian blur of every image plane, σ in pixels. */
    public static ImageDataset blur(ImageDataset ds, double sigma) {
        int plane = ds.height() * ds.width();
        byte[] px = ds.pixels();
        byte[] out = new byte[px.length];
        float[] f = new float[plane];
        for (int p = 0; p < ds.count() * ds.channels(); p++) {
            for (int i = 0; i < plane; i++) {
                f[i] = px[p * plane + i] & 0xFF;
            }
            float[] b = ImageOps.gaussianBlur(f, ds.height(), ds.width(), sigma);
            for (int i = 0; i < plane; i++) {
                out[p * plane + i] = (byte) Math.max(0, Math.min(255, Math.round(b[i])));
            }
        }
        return with(ds, ds.name() + "+blur" + sigma, out);
    }

    /** Images of uniformly random pixels, labelled 0..9 in turn. */
    public static ImageDataset uniformNoise(int n, int size, Rng rng) {
        return uniformNoise(n, 1, size, 10, rng);
    }

    /** {@code channels}-channel images of uniformly random pixels, labelled 0..classes−1 in turn. */
    public static ImageDataset uniformNoise(int n, int channels, int size, int classes, Rng rng) {
        byte[] out = new byte[n * channels * size * size];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) rng.nextInt(256);
        }
        int[] labels = IntStream.range(0, n).map(i -> i % classes).toArray();
        return new ImageDataset("uniform-noise", n, channels, size, size, out, labels, null, List.of());
    }

    /** The images whose label is not {@code c}. */
    public static ImageDataset withoutClass(ImageDataset ds, int c) {
        return select(ds, IntStream.range(0, ds.count()).filter(i -> ds.labels()[i] != c).toArray(), ds.name() + "-class" + c);
    }

    /** The images whose label is {@code c}. */
    public static ImageDataset onlyClass(ImageDataset ds, int c) {
        return select(ds, IntStream.range(0, ds.count()).filter(i -> ds.labels()[i] == c).toArray(), ds.name() + "-only" + c);
    }

    static ImageDataset select(ImageDataset ds, int[] idx, String name) {
        int size = ds.imageSize();
        byte[] out = new byte[idx.length * size];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(ds.pixels(), idx[i] * size, out, i * size, size);
        }
        return new ImageDataset(name, idx.length, ds.channels(), ds.height(), ds.width(), out, ds.labelsOf(idx), null, ds.classNames());
    }

    private static ImageDataset with(ImageDataset ds, String name, byte[] pixels) {
        return new ImageDataset(name, ds.count(), ds.channels(), ds.height(), ds.width(), pixels, ds.labels(), ds.captions(), ds.classNames());
    }

    private static byte quantise(double v) {
        return (byte) Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
    }
}
