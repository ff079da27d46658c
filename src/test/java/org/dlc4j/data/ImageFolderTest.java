package org.dlc4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Your own pictures: colour, alpha, any size and shape, labels from folders, captions, and every kind of bad file. */
class ImageFolderTest {
    static BufferedImage picture(int w, int h, Color background, Color square, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        Graphics2D g = image.createGraphics();
        g.setComposite(java.awt.AlphaComposite.Src);
        g.setColor(background);
        g.fillRect(0, 0, w, h);
        g.setColor(square);
        g.fillRect(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        return image;
    }

    static void png(Path file, BufferedImage image) throws Exception {
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    /** RGB of pixel (x, y) of image i of a 3-channel set. */
    static int[] rgb(ImageDataset d, int i, int x, int y) {
        int plane = d.height() * d.width();
        int base = i * 3 * plane + y * d.width() + x;
        byte[] p = d.pixels();
        return new int[] {p[base] & 0xFF, p[base + plane] & 0xFF, p[base + 2 * plane] & 0xFF};
    }

    @Test
    void colourWithAlphaIsCompositedOverTheChosenBackground(@TempDir Path dir) throws Exception {
        png(dir.resolve("a.png"), picture(64, 64, new Color(0, 0, 0, 0), new Color(200, 30, 40, 255), BufferedImage.TYPE_INT_ARGB));
        var white = ImageFolder.load(dir, ImageFolder.Options.colour(32));
        assertEquals(3, white.data().channels());
        assertEquals(32, white.data().width());
        assertEquals(List.of(255, 255, 255), List.of(rgb(white.data(), 0, 1, 1)[0], rgb(white.data(), 0, 1, 1)[1], rgb(white.data(), 0, 1, 1)[2]));
        int[] centre = rgb(white.data(), 0, 16, 16);
        assertEquals(200, centre[0]);
        assertEquals(30, centre[1]);
        assertEquals(40, centre[2]);
        var black = ImageFolder.load(dir, ImageFolder.Options.colour(32).withBackground(ImageFolder.Options.parseBackground("black")));
        assertEquals(0, rgb(black.data(), 0, 1, 1)[0]);
        var grey = ImageFolder.load(dir, ImageFolder.Options.colour(32).withChannels(1));
        assertEquals(1, grey.data().channels());
        assertEquals(Map.of("colour+alpha", 1), grey.channels());
        assertThrows(InvalidInputException.class, () -> ImageFolder.Options.parseBackground("mauve"));
    }

    @Test
    void otherShapesAreCroppedOrPaddedToTheSquare(@TempDir Path dir) throws Exception {
        // 120×40: a red left third, a green middle, a blue right third
        BufferedImage wide = new BufferedImage(120, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = wide.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 40, 40);
        g.setColor(Color.GREEN);
        g.fillRect(40, 0, 40, 40);
        g.setColor(Color.BLUE);
        g.fillRect(80, 0, 40, 40);
        g.dispose();
        png(dir.resolve("wide.png"), wide);
        ImageDataset crop = ImageFolder.load(dir, ImageFolder.Options.colour(16)).data();
        for (int x : new int[] {0, 8, 15}) {
            assertEquals(255, rgb(crop, 0, x, 8)[1], "the crop keeps the green centre, x = " + x);
        }
        ImageDataset pad = ImageFolder.load(dir, ImageFolder.Options.colour(24).withFit(ImageFolder.Fit.PAD)
                .withBackground(0x000000)).data();
        assertEquals(255, rgb(pad, 0, 0, 12)[0], "the whole picture fits: red at the left");
        assertEquals(255, rgb(pad, 0, 23, 12)[2], "blue at the right");
        assertEquals(0, rgb(pad, 0, 12, 0)[1], "the background above");
    }

    @Test
    void subFoldersAreClassesAndCaptionsComeFromTheirFile(@TempDir Path dir) throws Exception {
        png(dir.resolve("cats/1.png"), picture(40, 40, Color.WHITE, Color.ORANGE, BufferedImage.TYPE_INT_RGB));
        png(dir.resolve("dogs/1.png"), picture(40, 40, Color.WHITE, Color.BLACK, BufferedImage.TYPE_INT_RGB));
        png(dir.resolve("cats/2.png"), picture(40, 30, Color.WHITE, Color.GRAY, BufferedImage.TYPE_INT_RGB));
        Files.writeString(dir.resolve("captions.tsv"), "cats/1.png\tan orange cat\ndogs/1.png\ta black dog\n", StandardCharsets.UTF_8);
        var loaded = ImageFolder.load(dir, ImageFolder.Options.colour(16));
        assertEquals(List.of("cats/1.png", "cats/2.png", "dogs/1.png"), loaded.files());
        assertEquals(List.of("cats", "dogs"), loaded.data().classNames());
        assertEquals(List.of(0, 0, 1), java.util.Arrays.stream(loaded.data().labels()).boxed().toList());
        assertEquals(List.of("an orange cat", "", "a black dog"), loaded.data().captions());
        assertEquals(Map.of("40×40", 2, "40×30", 1), loaded.sizes());

        png(dir.resolve("loose.png"), picture(40, 40, Color.WHITE, Color.RED, BufferedImage.TYPE_INT_RGB));
        assertNull(ImageFolder.load(dir, ImageFolder.Options.colour(16)).data().labels(), "a picture outside every sub-folder: no labels");
        Files.writeString(dir.resolve("captions.tsv"), "cats/1.png an orange cat\n", StandardCharsets.UTF_8);
        assertThrows(InvalidInputException.class, () -> ImageFolder.load(dir, ImageFolder.Options.colour(16)));
    }

    @Test
    void badFilesAreLeftOutWithTheirReasonsAndTheRestLoads(@TempDir Path dir) throws Exception {
        png(dir.resolve("good.png"), picture(64, 64, Color.WHITE, Color.BLUE, BufferedImage.TYPE_INT_RGB));
        Files.write(dir.resolve("empty.png"), new byte[0]);
        Files.write(dir.resolve("corrupt.png"), "this is not a picture".getBytes(StandardCharsets.UTF_8));
        byte[] good = Files.readAllBytes(dir.resolve("good.png"));
        Files.write(dir.resolve("truncated.png"), java.util.Arrays.copyOf(good, good.length / 2));
        png(dir.resolve("tiny.png"), picture(1, 1, Color.WHITE, Color.WHITE, BufferedImage.TYPE_INT_RGB));
        Files.write(dir.resolve("huge.png"), pngHeaderOnly(10_000, 10_000));
        Files.write(dir.resolve("cmyk.jpg"), cmykJpeg());
        Files.write(dir.resolve("animated.png"), animated(good));
        var loaded = ImageFolder.load(dir, ImageFolder.Options.colour(32));
        assertEquals(List.of("animated.png", "cmyk.jpg", "good.png"), loaded.files(), "the animated PNG gives its first frame; CMYK is converted");
        Map<String, String> why = new java.util.TreeMap<>();
        loaded.skipped().forEach(s -> why.put(s.file().getFileName().toString(), s.reason()));
        assertEquals(List.of("corrupt.png", "empty.png", "huge.png", "tiny.png", "truncated.png"), List.copyOf(why.keySet()));
        assertEquals("empty file", why.get("empty.png"));
        assertTrue(why.get("corrupt.png").contains("not a PNG or JPEG"), why.get("corrupt.png"));
        assertTrue(why.get("tiny.png").contains("too small: 1×1"), why.get("tiny.png"));
        assertTrue(why.get("huge.png").contains("too large: 10000×10000"), why.get("huge.png"));
        assertTrue(why.get("truncated.png").contains("damaged"), why.get("truncated.png"));
        assertEquals(255, rgb(loaded.data(), 2, 16, 16)[2], "the good picture's blue square");
        int[] noInk = rgb(loaded.data(), 1, 0, 0);
        assertTrue(noInk[0] > 200 && noInk[1] > 200 && noInk[2] > 200, "CMYK without ink is white: " + java.util.Arrays.toString(noInk));

        Path allBad = dir.resolve("bad");
        Files.createDirectories(allBad);
        Files.write(allBad.resolve("x.png"), new byte[0]);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageFolder.load(allBad, ImageFolder.Options.colour(32)));
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> ImageFolder.load(dir.resolve("missing"), ImageFolder.Options.colour(32)));
    }

    @Test
    void theSplitDependsOnThePathsOnlyAndHoldsOutEveryClass(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 20; i++) {
            png(dir.resolve("a/" + i + ".png"), picture(16, 16, Color.WHITE, Color.RED, BufferedImage.TYPE_INT_RGB));
        }
        for (int i = 0; i < 3; i++) {
            png(dir.resolve("b/" + i + ".png"), picture(16, 16, Color.WHITE, Color.BLUE, BufferedImage.TYPE_INT_RGB));
        }
        png(dir.resolve("c/only.png"), picture(16, 16, Color.WHITE, Color.GREEN, BufferedImage.TYPE_INT_RGB));
        var loaded = ImageFolder.load(dir, ImageFolder.Options.colour(16));
        var split = loaded.split(0.2);
        assertEquals(24, split.train().count() + split.test().count());
        int[] held = new int[3];
        for (int l : split.test().labels()) {
            held[l]++;
        }
        assertEquals(List.of(4, 1, 0), List.of(held[0], held[1], held[2]), "a fifth of a, at least one of b, none of a class of one");
        var again = ImageFolder.load(dir, ImageFolder.Options.colour(16)).split(0.2);
        assertEquals(java.util.Arrays.toString(split.test().pixels()), java.util.Arrays.toString(again.test().pixels()));
        // one more picture moves no other picture between the sets
        png(dir.resolve("a/extra.png"), picture(16, 16, Color.BLACK, Color.RED, BufferedImage.TYPE_INT_RGB));
        var grown = ImageFolder.load(dir, ImageFolder.Options.colour(16));
        java.util.Set<String> before = new java.util.HashSet<>();
        var s1 = loaded.split(0.2);
        for (int i = 0; i < loaded.data().count(); i++) {
            before.add(loaded.files().get(i));
        }
        assertEquals(25, grown.data().count());
        assertThrows(InvalidInputException.class, () -> loaded.split(1.5));
        assertTrue(s1.train().count() > 0 && before.size() == 24);
    }

    /** A PNG that declares its size and holds no pixels: the size check must refuse it before decoding. */
    static byte[] pngHeaderOnly(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {8, 2, 0, 0, 0});
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    /** {@code png} with an APNG animation-control chunk after IHDR: one frame declared, the default image shown. */
    static byte[] animated(byte[] png) throws Exception {
        int afterIhdr = 8 + 8 + 13 + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterIhdr);
        ByteArrayOutputStream actl = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(actl);
        d.writeInt(1);
        d.writeInt(0);
        chunk(out, "acTL", actl.toByteArray());
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }

    /** A JPEG of four-channel (CMYK) samples, as print workflows write them; the JDK reads it in a CMYK colour space. */
    static byte[] cmykJpeg() throws Exception {
        WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                raster.setPixel(x, y, new int[] {255 - x * 16, 255 - y * 16, 255, 255}); // stored inverted, as Adobe's CMYK JPEGs
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
