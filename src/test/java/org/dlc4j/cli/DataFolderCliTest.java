package org.dlc4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dlc data --folder}: a folder of one's own pictures is checked, bad files named, the rest shown. */
class DataFolderCliTest {
    @Test
    void reportsCountsSizesAndEveryFileLeftOut(@TempDir Path dir) throws Exception {
        Path pics = dir.resolve("pics");
        Files.createDirectories(pics.resolve("red"));
        Files.createDirectories(pics.resolve("blue"));
        BufferedImage red = new BufferedImage(48, 48, BufferedImage.TYPE_INT_ARGB);
        red.setRGB(10, 10, 0xFFFF0000);
        ImageIO.write(red, "png", pics.resolve("red/a.png").toFile());
        ImageIO.write(new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB), "jpeg", pics.resolve("blue/b.jpg").toFile());
        Files.write(pics.resolve("blue/broken.png"), new byte[0]);
        Path grid = dir.resolve("grid.png");
        var r = CliHarness.run("data", "--folder", pics.toString(), "--channels", "3", "--size", "32", "--grid", grid.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 pictures used, 1 left out"), r.out());
        assertTrue(r.out().contains("48×48 ×1") && r.out().contains("64×32 ×1"), r.out());
        assertTrue(r.out().contains("left out " + pics.resolve("blue/broken.png") + ": empty file"), r.out());
        assertTrue(r.out().contains("blue") && r.out().contains("red"), "the classes: " + r.out());
        assertTrue(ImageIO.read(grid.toFile()).getWidth() > 0, "the grid is written");

        CliHarness.assertOneLineError(CliHarness.run("data", "--folder", pics.toString(), "--channels", "4"), "--channels");
        CliHarness.assertOneLineError(CliHarness.run("data", "--folder", pics.toString(), "--fit", "stretch"), "--fit");
        CliHarness.assertOneLineError(CliHarness.run("data", "--folder", pics.toString(), "--background", "mauve"), "--background");
        CliHarness.assertOneLineError(CliHarness.run("data", "--folder", dir.resolve("none").toString()), "not found");
    }

    /** Fashion-MNIST exported as a picture folder reads back as the same images with the same classes. */
    @Test
    void exportWritesAFolderThatReadsBackPixelForPixel(@TempDir Path dir) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(org.dlc4j.data.FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
        Path out = dir.resolve("test-pictures");
        var r = CliHarness.run("data", "--split", "test", "--count", "4", "--grid", dir.resolve("g.png").toString(), "--export", out.toString());
        assertEquals(0, r.code(), r.err());
        var back = org.dlc4j.data.ImageFolder.load(out, org.dlc4j.data.ImageFolder.Options.colour(28).withChannels(1));
        var test = org.dlc4j.data.FashionMnist.load(org.dlc4j.data.FashionMnist.DEFAULT_DIR, org.dlc4j.data.FashionMnist.Split.TEST);
        assertEquals(10_000, back.data().count());
        assertEquals(10, back.data().classNames().size());
        for (int k = 0; k < back.files().size(); k += 997) {
            int i = Integer.parseInt(back.files().get(k).replaceAll(".*/0*(\\d+)\\.png", "$1"));
            assertEquals(test.classNames().get(test.labels()[i]).replaceAll("[^A-Za-z0-9._-]", "_"), back.data().classNames().get(back.data().labels()[k]));
            assertTrue(java.util.Arrays.equals(test.image(i), back.data().image(k)), "picture " + i);
        }
        CliHarness.assertOneLineError(CliHarness.run("data", "--split", "test", "--grid", dir.resolve("g.png").toString(), "--export",
                out.toString()), "exists");
    }
}
