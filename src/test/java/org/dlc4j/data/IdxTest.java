package org.dlc4j.data;

import static org.dlc4j.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** Three 2×3 images whose pixels count up from 250, so values above 127 check the unsigned read. */
    static final byte[] PIXELS = new byte[3 * 2 * 3];

    static {
        for (int i = 0; i < PIXELS.length; i++) {
            PIXELS[i] = (byte) (250 + i);
        }
    }

    static byte[] imagesFile(int count, int rows, int cols, byte[] pixels) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(Idx.IMAGES_MAGIC);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(cols);
            out.write(pixels);
        }
        return bytes.toByteArray();
    }

    static byte[] labelsFile(int... labels) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(Idx.LABELS_MAGIC);
            out.writeInt(labels.length);
            for (int label : labels) {
                out.writeByte(label);
            }
        }
        return bytes.toByteArray();
    }

    static Path gzip(Path file, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
        return file;
    }

    @Test
    void readsGzippedImagesAndLabels() throws IOException {
        Path images = gzip(dir.resolve("images.gz"), imagesFile(3, 2, 3, PIXELS));
        Path labels = gzip(dir.resolve("labels.gz"), labelsFile(7, 0, 255));

        Idx.Images read = Idx.readImages(images);
        assertEquals(3, read.count());
        assertEquals(2, read.height());
        assertEquals(3, read.width());
        assertArrayEquals(PIXELS, read.pixels());
        assertArrayEquals(new int[] {7, 0, 255}, Idx.readLabels(labels));
    }

    @Test
    void readsPlainFilesAndHonoursTheLimit() throws IOException {
        Path images = Files.write(dir.resolve("images"), imagesFile(3, 2, 3, PIXELS));
        Path labels = Files.write(dir.resolve("labels"), labelsFile(7, 0, 255));

        Idx.Images first = Idx.readImages(images, 2);
        assertEquals(2, first.count());
        assertArrayEquals(Arrays.copyOf(PIXELS, 12), first.pixels());
        assertArrayEquals(new int[] {7}, Idx.readLabels(labels, 1));
        assertEquals(3, Idx.readImages(images, 100).count());
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        Path labels = gzip(dir.resolve("labels.gz"), labelsFile(1, 2));
        assertUserError(() -> Idx.readImages(labels), labels.toString(), "is not an IDX image file", "magic 0x00000801");
    }

    @Test
    void rejectsTruncatedGzip() throws IOException {
        Path whole = gzip(dir.resolve("whole.gz"), imagesFile(3, 2, 3, PIXELS));
        byte[] gz = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertUserError(() -> Idx.readImages(cut), cut.toString(), "is truncated");
    }

    @Test
    void rejectsShortData() throws IOException {
        Path shortFile = gzip(dir.resolve("short.gz"), imagesFile(3, 2, 3, Arrays.copyOf(PIXELS, 10)));
        assertUserError(() -> Idx.readImages(shortFile), shortFile.toString(), "is truncated", "3 images (18 bytes)");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertUserError(() -> Idx.readLabels(empty), empty.toString(), "is truncated", "header");
    }

    @Test
    void rejectsMissingFile() {
        Path missing = dir.resolve("nope.gz");
        assertUserError(() -> Idx.readLabels(missing), missing.toString(), "not found");
    }
}
