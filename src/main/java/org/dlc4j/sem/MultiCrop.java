package org.dlc4j.sem;

import org.dlc4j.data.ImageOps;
import org.dlc4j.util.Rng;

/**
 * DINO's multi-crop augmentation for images in [−1, 1]: two global crops at full size and several small local crops,
 * each a random resized crop with a horizontal flip, brightness/contrast jitter (with saturation and random greyscale
 * on colour images), Gaussian blur and, on the second global crop, solarisation — with DINO's
 * probabilities. Runs on the host from the project's RNG, so a resumed run draws the same crops.
 *
 * @param globalScale  area range of the global crops (DINOv2: 0.32–1)
 * @param localScale   area range of the local crops (DINOv2: 0.05–0.32)
 * @param locals       local crops per image (DINOv2: 8)
 * @param localSize    side of the local crops in pixels (must divide the image into whole patches)
 * @param jitter       maximum relative change of brightness and contrast
 * @param maxBlur      largest σ of the blur, in pixels
 */
public record MultiCrop(double[] globalScale, double[] localScale, int locals, int localSize, double jitter, double maxBlur) {

    public static MultiCrop fmnist() {
        return new MultiCrop(new double[] {0.35, 1.0}, new double[] {0.1, 0.35}, 4, 16, 0.4, 1.0);
    }

    /**
     * The two-view recipe (BYOL, VICReg) for 28-px garments: crops of 20–100% of the area, flip, brightness and
     * contrast, no local crops and no blur (at this size a blur erases the texture that tells a shirt from a coat).
     */
    public static MultiCrop twoView() {
        return new MultiCrop(new double[] {0.2, 1.0}, new double[] {0.05, 0.2}, 0, 14, 0.4, 0.0);
    }

    public MultiCrop withLocals(int locals) {
        return new MultiCrop(globalScale, localScale, locals, localSize, jitter, maxBlur);
    }

    public static MultiCrop tiny() {
        return new MultiCrop(new double[] {0.35, 1.0}, new double[] {0.1, 0.35}, 2, 16, 0.4, 1.0);
    }

    public MultiCrop withScales(double[] globalScale, double[] localScale) {
        return new MultiCrop(globalScale, localScale, locals, localSize, jitter, maxBlur);
    }

    public MultiCrop withMaxBlur(double maxBlur) {
        return new MultiCrop(globalScale, localScale, locals, localSize, jitter, maxBlur);
    }

    /** The crops of a batch: {@code global[k]} is [B·C·S·S] for crop k, {@code local[k]} [B·C·s·s]. */
    public record Views(float[][] global, float[][] local, int size, int localSize) {
    }

    /** @param images [B, S, S] flattened, in [−1, 1] (one channel) */
    public Views apply(float[] images, int batch, int size, Rng rng) {
        return apply(images, batch, 1, size, rng);
    }

    /**
     * @param images [B, C, S, S] flattened, in [−1, 1]. Every channel of an image is cropped, flipped, blurred and
     *               solarised alike; colour images (C = 3) also get saturation jitter and, with probability 0.2, turn
     *               grey (SimCLR's and DINO's colour recipe), drawn after the one-channel draws so grey images see
     *               exactly the crops they always did.
     */
    public Views apply(float[] images, int batch, int channels, int size, Rng rng) {
        int plane = channels * size * size;
        int localPlane = channels * localSize * localSize;
        float[][] global = new float[2][batch * plane];
        float[][] local = new float[locals][batch * localPlane];
        for (int b = 0; b < batch; b++) {
            for (int g = 0; g < 2; g++) {
                // DINO: blur always on the first global crop, rarely on the second, which is solarised instead.
                float[] v = view(images, b * plane, channels, size, size, globalScale, g == 0 ? 1.0 : 0.1, g == 1 ? 0.2 : 0.0, rng);
                System.arraycopy(v, 0, global[g], b * plane, plane);
            }
            for (int l = 0; l < locals; l++) {
                float[] v = view(images, b * plane, channels, size, localSize, localScale, 0.5, 0.0, rng);
                System.arraycopy(v, 0, local[l], b * localPlane, localPlane);
            }
        }
        return new Views(global, local, size, localSize);
    }

    private float[] view(float[] src, int offset, int channels, int size, int out, double[] scale, double blurP, double solarizeP, Rng rng) {
        double[] window = window(size, scale, rng);
        int o = out * out;
        float[] v = new float[channels * o];
        for (int ch = 0; ch < channels; ch++) {
            System.arraycopy(sample(src, offset + ch * size * size, size, out, window), 0, v, ch * o, o);
        }
        if (rng.nextDouble() < 0.5) {
            for (int ch = 0; ch < channels; ch++) {
                flip(v, ch * o, out);
            }
        }
        if (rng.nextDouble() < 0.8) {
            jitter(v, channels, o, rng);
        }
        if (rng.nextDouble() < blurP && maxBlur > 0) {
            double sigma = 0.1 + (maxBlur - 0.1) * rng.nextDouble();
            for (int ch = 0; ch < channels; ch++) {
                float[] plane = java.util.Arrays.copyOfRange(v, ch * o, (ch + 1) * o);
                System.arraycopy(ImageOps.gaussianBlur(plane, out, out, sigma), 0, v, ch * o, o);
            }
        }
        if (rng.nextDouble() < solarizeP) {
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] >= 0 ? -v[i] : v[i]; // invert everything above mid-grey, as PIL's solarize(128)
            }
        }
        if (channels == 3 && rng.nextDouble() < 0.2) {
            for (int i = 0; i < o; i++) {
                float grey = luma(v, i, o);
                v[i] = grey;
                v[o + i] = grey;
                v[2 * o + i] = grey;
            }
        }
        return v;
    }

    /** torchvision's RandomResizedCrop: area and log-aspect drawn, ten tries, else the whole image; bilinear. */
    static float[] resizedCrop(float[] src, int offset, int size, int out, double[] scale, Rng rng) {
        return sample(src, offset, size, out, window(size, scale, rng));
    }

    /** The crop window {x0, y0, w, h} of RandomResizedCrop: area and log-aspect drawn, ten tries, else the whole image. */
    private static double[] window(int size, double[] scale, Rng rng) {
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = size * size * (scale[0] + (scale[1] - scale[0]) * rng.nextDouble());
            double ratio = Math.exp(Math.log(3.0 / 4) + (Math.log(4.0 / 3) - Math.log(3.0 / 4)) * rng.nextDouble());
            double cw = Math.sqrt(area * ratio);
            double ch = Math.sqrt(area / ratio);
            if (cw <= size && ch <= size) {
                return new double[] {(size - cw) * rng.nextDouble(), (size - ch) * rng.nextDouble(), cw, ch};
            }
        }
        return new double[] {0, 0, size, size};
    }

    /** One plane's window resampled bilinearly to out × out. */
    private static float[] sample(float[] src, int offset, int size, int out, double[] window) {
        double x0 = window[0];
        double y0 = window[1];
        double w = window[2];
        double h = window[3];
        float[] v = new float[out * out];
        for (int y = 0; y < out; y++) {
            double sy = y0 + (y + 0.5) * h / out - 0.5;
            for (int x = 0; x < out; x++) {
                double sx = x0 + (x + 0.5) * w / out - 0.5;
                v[y * out + x] = (float) bilinear(src, offset, size, sx, sy);
            }
        }
        return v;
    }

    private static double bilinear(float[] src, int offset, int size, double x, double y) {
        int xa = (int) Math.floor(x);
        int ya = (int) Math.floor(y);
        double fx = x - xa;
        double fy = y - ya;
        return (1 - fy) * ((1 - fx) * px(src, offset, size, xa, ya) + fx * px(src, offset, size, xa + 1, ya))
                + fy * ((1 - fx) * px(src, offset, size, xa, ya + 1) + fx * px(src, offset, size, xa + 1, ya + 1));
    }

    private static float px(float[] src, int offset, int size, int x, int y) {
        return src[offset + Math.max(0, Math.min(size - 1, y)) * size + Math.max(0, Math.min(size - 1, x))];
    }

    private static void flip(float[] v, int offset, int n) {
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n / 2; x++) {
                int a = offset + y * n + x;
                int b = offset + y * n + n - 1 - x;
                float t = v[a];
                v[a] = v[b];
                v[b] = t;
            }
        }
    }

    /** ITU-R 601 luma of pixel i of a [3, o] image, as torchvision's rgb_to_grayscale. */
    private static float luma(float[] v, int i, int o) {
        return (float) (0.299 * v[i] + 0.587 * v[o + i] + 0.114 * v[2 * o + i]);
    }

    /**
     * Brightness then contrast, each by a factor in [1 − j, 1 + j], in [0, 1] intensity units, clamped; colour images
     * then saturation by a factor in the same range (a blend with their luma), drawn last.
     */
    private void jitter(float[] v, int channels, int o, Rng rng) {
        double brightness = 1 + jitter * (2 * rng.nextDouble() - 1);
        double contrast = 1 + jitter * (2 * rng.nextDouble() - 1);
        double mean = 0;
        for (float f : v) {
            mean += (f + 1) / 2 * brightness;
        }
        mean /= v.length;
        for (int i = 0; i < v.length; i++) {
            double p = (v[i] + 1) / 2 * brightness;
            p = mean + contrast * (p - mean);
            v[i] = (float) (2 * Math.max(0, Math.min(1, p)) - 1);
        }
        if (channels == 3) {
            double saturation = 1 + jitter * (2 * rng.nextDouble() - 1);
            for (int i = 0; i < o; i++) {
                float grey = luma(v, i, o);
                for (int ch = 0; ch < 3; ch++) {
                    v[ch * o + i] = (float) Math.max(-1, Math.min(1, grey + saturation * (v[ch * o + i] - grey)));
                }
            }
        }
    }
}
