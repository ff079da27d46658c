package org.dlc4j.data;

/** Pixel operations on one image plane held as floats, shared by augmentation and the metric checks. */
public final class ImageOps {
    private ImageOps() {}

    /** Separable Gaussian blur with standard deviation σ pixels (kernel radius ⌈3σ⌉, edges clamped). */
    public static float[] gaussianBlur(float[] plane, int height, int width, double sigma) {
        int r = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] tmp = new float[plane.length];
        float[] out = new float[plane.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * plane[y * width + clamp(x + i, width)];
                }
                tmp[y * width + x] = (float) acc;
            }
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * tmp[clamp(y + i, height) * width + x];
                }
                out[y * width + x] = (float) acc;
            }
        }
        return out;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }
}
