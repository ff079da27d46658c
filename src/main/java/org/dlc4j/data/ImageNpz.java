package org.dlc4j.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.Npz;
import org.dlc4j.util.InvalidInputException;

/**
 * Image sets as {@code .npz}, the exchange format of the diffusion evaluation tools: {@code images} as uint8
 * [N, H, W, C] (guided-diffusion's {@code arr_0} layout, which is also accepted on reading) and, when known,
 * {@code labels} as int64 [N]. Reading also accepts [N, H, W], channel-first [N, C, H, W] and float32 in [−1, 1].
 */
public final class ImageNpz {
    public static final String IMAGES = "images";
    public static final String LABELS = "labels";

    private ImageNpz() {}

    public static void write(Path path, ImageDataset ds) {
        int n = ds.count();
        int c = ds.channels();
        int h = ds.height();
        int w = ds.width();
        byte[] nhwc = new byte[ds.pixels().length];
        byte[] nchw = ds.pixels();
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < h * w; p++) {
                    nhwc[(i * h * w + p) * c + ch] = nchw[(i * c + ch) * h * w + p];
                }
            }
        }
        var arrays = new LinkedHashMap<String, HostTensor>();
        arrays.put(IMAGES, HostTensor.ofBytes(new long[] {n, h, w, c}, nhwc));
        if (ds.labels() != null) {
            arrays.put(LABELS, HostTensor.ofLongs(new long[] {n}, Arrays.stream(ds.labels()).asLongStream().toArray()));
        }
        Npz.write(path, arrays);
    }

    public static ImageDataset read(Path path) {
        var arrays = Npz.read(path);
        HostTensor images = arrays.containsKey(IMAGES) ? arrays.get(IMAGES) : arrays.get("arr_0");
        if (images == null) {
            throw new InvalidInputException(path + " has no 'images' (or 'arr_0') array but " + arrays.keySet()
                    + ": store the images under the key 'images' as uint8 [N, H, W, C]");
        }
        long[] s = images.shape();
        boolean channelsLast = s.length == 3 || s.length == 4 && s[3] <= 4;
        boolean channelsFirst = s.length == 4 && !channelsLast && s[1] <= 4;
        if (!channelsLast && !channelsFirst) {
            throw new InvalidInputException(path + ": images have shape " + Arrays.toString(s)
                    + "; expected [N, H, W], [N, H, W, C] or [N, C, H, W] with C ≤ 4");
        }
        int n = Math.toIntExact(s[0]);
        int c = s.length == 3 ? 1 : Math.toIntExact(channelsLast ? s[3] : s[1]);
        int h = Math.toIntExact(channelsLast ? s[1] : s[2]);
        int w = Math.toIntExact(channelsLast ? s[2] : s[3]);
        byte[] raw = switch (images.dtype()) {
            case U8 -> images.bytes();
            case F32 -> quantise(path, images.floats());
            default -> throw new InvalidInputException(path + ": images are " + images.dtype()
                    + "; store them as uint8 (0..255) or float32 in [-1, 1]");
        };
        byte[] nchw = raw;
        if (channelsLast && c > 1) {
            nchw = new byte[raw.length];
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < h * w; p++) {
                    for (int ch = 0; ch < c; ch++) {
                        nchw[(i * c + ch) * h * w + p] = raw[(i * h * w + p) * c + ch];
                    }
                }
            }
        }
        int[] labels = null;
        HostTensor l = arrays.containsKey(LABELS) ? arrays.get(LABELS) : arrays.get("arr_1");
        if (l != null) {
            if (l.shape().length != 1 || l.shape()[0] != n) {
                throw new InvalidInputException(path + ": labels have shape " + Arrays.toString(l.shape()) + " for " + n
                        + " images; store one integer label per image");
            }
            if (!l.isInteger()) {
                throw new InvalidInputException(path + ": labels are " + l.dtype() + "; store them as int64 or int32");
            }
            labels = l.intValues();
        }
        String name = path.getFileName().toString();
        return new ImageDataset(name, n, c, h, w, nchw, labels, null, List.of());
    }

    private static byte[] quantise(Path path, float[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!(v >= -1.001f && v <= 1.001f)) {
                throw new InvalidInputException(path + ": float image value " + v + " at element " + i
                        + " is outside [-1, 1]; save float images scaled to [-1, 1] or as uint8");
            }
            out[i] = (byte) Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
        }
        return out;
    }
}
