package org.dlc4j.data;

import static org.dlc4j.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngFolderDatasetTest {
    @TempDir
    Path dir;

    /** {@code count} images of {@code channels}×3×5 whose bytes are distinct (mod 256) pseudo-random values. */
    private static ImageDataset images(int count, int channels, int[] labels, List<String> captions, List<String> classes) {
        byte[] pixels = new byte[count * channels * 3 * 5];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 37 + 11);
        }
        return new ImageDataset("made", count, channels, 3, 5, pixels, labels, captions, classes);
    }

    private static void assertSameContent(ImageDataset expected, ImageDataset actual) {
        assertEquals(expected.count(), actual.count());
        assertEquals(expected.channels(), actual.channels());
        assertEquals(expected.height(), actual.height());
        assertEquals(expected.width(), actual.width());
        assertArrayEquals(expected.pixels(), actual.pixels());
        assertArrayEquals(expected.labels(), actual.labels());
        assertEquals(expected.captions(), actual.captions());
        assertEquals(expected.classNames(), actual.classNames());
    }

    @Test
    void greyRoundTripWithLabelsCaptionsAndClasses() throws IOException {
        var ds = images(3, 1, new int[] {2, 0, 1}, List.of("a grey shoe", "", "tab\there"), List.of("x", "y", "z"));
        PngFolderDataset.write(dir, ds);
        assertTrue(Files.exists(dir.resolve("00000.png")) && Files.exists(dir.resolve("00002.png")));
        assertEquals("file\tlabel\tcaption", Files.readAllLines(dir.resolve("metadata.tsv")).get(0));

        var back = PngFolderDataset.load(dir, 1);
        assertEquals(dir.getFileName().toString(), back.name());
        assertSameContent(images(3, 1, new int[] {2, 0, 1}, List.of("a grey shoe", "", "tab here"), List.of("x", "y", "z")), back);
    }

    @Test
    void rgbAndRgbaRoundTrip() {
        var rgb = images(2, 3, null, List.of("red", "green"), List.of());
        PngFolderDataset.write(dir.resolve("rgb"), rgb);
        var back = PngFolderDataset.load(dir.resolve("rgb"), 3);
        assertSameContent(rgb, back);
        assertNull(back.labels());

        var rgba = images(2, 4, new int[] {4, 1}, null, List.of());
        PngFolderDataset.write(dir.resolve("rgba"), rgba);
        assertSameContent(rgba, PngFolderDataset.load(dir.resolve("rgba"), 4));
    }

    @Test
    void convertsChannelsCompositingTransparencyOnWhite() {
        // One 1×2 RGBA image: opaque pure red, then fully transparent black.
        byte[] pixels = {(byte) 255, 0, 0, 0, 0, 0, (byte) 255, 0};
        PngFolderDataset.write(dir, new ImageDataset("rgba", 1, 4, 1, 2, pixels, null, null, null));

        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, 0, (byte) 255, 0, (byte) 255}, PngFolderDataset.load(dir, 3).pixels());
        assertArrayEquals(new byte[] {76, (byte) 255}, PngFolderDataset.load(dir, 1).pixels()); // 0.299 × 255 ≈ 76
    }

    @Test
    void loadsGreyImagesAsRgb() {
        PngFolderDataset.write(dir, images(1, 1, null, null, null));
        var rgb = PngFolderDataset.load(dir, 3);
        byte[] grey = images(1, 1, null, null, null).pixels();
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(grey, java.util.Arrays.copyOfRange(rgb.pixels(), c * 15, (c + 1) * 15));
        }
    }

    @Test
    void rejectsImagesOfDifferentSizes() {
        PngFolderDataset.write(dir.resolve("a"), images(2, 1, null, null, null));
        PngFolderDataset.write(dir.resolve("b"), new ImageDataset("big", 1, 1, 4, 4, new byte[16], null, null, null));
        try {
            Files.move(dir.resolve("b/00000.png"), dir.resolve("a/00001x.png"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertUserError(() -> PngFolderDataset.load(dir.resolve("a"), 1),
                dir.resolve("a/00001x.png").toString(), "4×4", "5×3", "resize");
    }

    @Test
    void rejectsMissingOrEmptyFoldersAndBadChannels() throws IOException {
        Path missing = dir.resolve("missing");
        assertUserError(() -> PngFolderDataset.load(missing, 1), missing.toString(), "not found");
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        assertUserError(() -> PngFolderDataset.load(dir, 1), dir.toString(), "no .png files");
        assertUserError(() -> PngFolderDataset.load(dir, 2), "1 (grey), 3 (RGB) or 4 (RGBA)");
    }

    @Test
    void rejectsBadMetadata() throws IOException {
        PngFolderDataset.write(dir, images(2, 1, new int[] {0, 1}, null, null));
        Path tsv = dir.resolve("metadata.tsv");

        Files.write(tsv, List.of("file\tlabel", "00000.png\t0", "00009.png\t1"));
        assertUserError(() -> PngFolderDataset.load(dir, 1), tsv + " line 3", "00009.png");

        Files.write(tsv, List.of("file\tlabel", "00000.png\t0"));
        assertUserError(() -> PngFolderDataset.load(dir, 1), tsv.toString(), "does not list 00001.png");

        Files.write(tsv, List.of("file\tlabel", "00000.png\t0", "00001.png\tcat"));
        assertUserError(() -> PngFolderDataset.load(dir, 1), "line 3", "\"cat\"", "non-negative integer");

        Files.write(tsv, List.of("file\tlable", "00000.png\t0", "00001.png\t1"));
        assertUserError(() -> PngFolderDataset.load(dir, 1), "line 1", "\"lable\"");

        Files.write(tsv, List.of("file\tlabel", "00000.png\t0", "00001.png"));
        assertUserError(() -> PngFolderDataset.load(dir, 1), "line 3", "1 fields", "tabs");

        Files.write(tsv, List.of("file\tlabel", "00000.png\t0", "00000.png\t1"));
        assertUserError(() -> PngFolderDataset.load(dir, 1), "line 3", "already listed on line 2");

        Files.write(tsv, List.of("file\tlabel", "00000.png\t0", "00001.png\t5"));
        Files.write(dir.resolve("classes.txt"), List.of("zero", "one"));
        assertUserError(() -> PngFolderDataset.load(dir, 1), "line 3", "label 5", "only 2 classes");
    }

    @Test
    void refusesToWriteIntoAFolderWithPngs() {
        PngFolderDataset.write(dir, images(1, 1, null, null, null));
        assertUserError(() -> PngFolderDataset.write(dir, images(1, 1, null, null, null)), dir.toString(), "already contains .png");
    }
}
