package org.dlc4j.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.dlc4j.util.InvalidInputException;

/**
 * Reader for the IDX format of (Fashion-)MNIST: a big-endian header {@code 0x0000 TT DD} (element type,
 * number of dimensions), DD int32 sizes, then the uint8 data. Gzipped and plain files are both accepted;
 * gzip is recognised by its magic bytes rather than the file name.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 0x00000803; // uint8, 3 dimensions: N × rows × cols
    public static final int LABELS_MAGIC = 0x00000801; // uint8, 1 dimension: N

    private static final int BUFFER = 1 << 16;

    /** {@code count} images of {@code height}×{@code width} uint8 pixels, row-major. */
    public record Images(int count, int height, int width, byte[] pixels) {}

    private record Raw(int[] dims, byte[] data) {}

    private Idx() {}

    public static Images readImages(Path file) {
        return readImages(file, Integer.MAX_VALUE);
    }

    /** The first {@code limit} images (all of them if the file holds fewer). */
    public static Images readImages(Path file, int limit) {
        Raw raw = read(file, IMAGES_MAGIC, "image", limit);
        return new Images(raw.dims[0], raw.dims[1], raw.dims[2], raw.data);
    }

    public static int[] readLabels(Path file) {
        return readLabels(file, Integer.MAX_VALUE);
    }

    /** The first {@code limit} labels as unsigned values 0..255. */
    public static int[] readLabels(Path file, int limit) {
        byte[] data = read(file, LABELS_MAGIC, "label", limit).data;
        int[] labels = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            labels[i] = data[i] & 0xFF;
        }
        return labels;
    }

    private static Raw read(Path file, int magic, String kind, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + " not found: check the path to the IDX " + kind + " file");
        }
        String expecting = "header"; // what was being read when the data ran out, for the error message
        try (DataInputStream in = open(file)) {
            int found = in.readInt();
            if (found != magic) {
                throw new InvalidInputException("%s is not an IDX %s file (magic 0x%08X, expected 0x%08X): pass the %ss file of the data set"
                        .formatted(file, kind, found, magic, kind));
            }
            int[] dims = new int[magic & 0xFF];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = in.readInt();
                if (dims[d] < 0 || (d > 0 && dims[d] == 0)) {
                    throw new InvalidInputException("%s has an invalid header (dimension %d is %d): the file is damaged; download it again"
                            .formatted(file, d, dims[d]));
                }
            }
            dims[0] = Math.min(dims[0], limit);
            long bytes = 1;
            for (int size : dims) {
                bytes *= size;
            }
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException("%s holds %d bytes, more than Java can load at once: pass a smaller limit".formatted(file, bytes));
            }
            byte[] data = new byte[(int) bytes];
            expecting = "%d %ss (%d bytes) announced by its header".formatted(dims[0], kind, bytes);
            in.readFully(data);
            return new Raw(dims, data);
        } catch (EOFException e) {
            throw new InvalidInputException(file + " is truncated: it ends before the " + expecting + "; download it again", e);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read %s: %s; the file is damaged or unreadable, download it again or check its permissions"
                    .formatted(file, Errors.oneLine(e.getMessage())), e);
        }
    }

    /** DataInputStream over a buffer over gunzip when the file starts with the gzip magic 1f 8b. */
    private static DataInputStream open(Path file) throws IOException {
        var raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            raw.mark(2);
            boolean gzipped = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzipped ? new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER) : raw;
            return new DataInputStream(in);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
