package org.dlc4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    @TempDir
    Path dir;

    @Test
    void lineChartWithLogAxes() throws IOException {
        double[] steps = {1, 10, 100, 1000};
        var png = dir.resolve("loss.png");
        Plots.line(png, "Training loss", "step", "loss", List.of(
                new Plots.Series("train", steps, new double[] {1.0, 0.5, 0.1, 0.05}),
                new Plots.Series("eval", steps, new double[] {1.2, 0.6, 0.2, 0.09})), true, true);
        assertPng(png, 640, 480);
    }

    @Test
    void logAxisRejectsNonPositiveValues() {
        var s = new Plots.Series("loss", new double[] {0, 1}, new double[] {1, 2});
        var e = assertThrows(IllegalArgumentException.class,
                () -> Plots.line(dir.resolve("bad.png"), "t", "x", "y", List.of(s), true, false));
        assertTrue(e.getMessage().contains("series 'loss'"), e.getMessage());
    }

    @Test
    void scatterOf20000PointsIsFast() throws IOException {
        var rng = new Rng(3);
        int n = 20_000;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextGaussian();
            y[i] = rng.nextGaussian();
        }
        var png = dir.resolve("scatter.png");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Plots.scatter(png, "Samples",
                List.of(new Plots.Series("model", x, y), new Plots.Series("data", y, x)),
                new double[] {-4, 4}, new double[] {-4, 4}, 2));
        assertPng(png, 600, 600);
    }

    @Test
    void heatmapHasViridisCellsAndColourBar() throws IOException {
        int nx = 60, ny = 40;
        double[] xs = new double[nx];
        double[] ys = new double[ny];
        double[][] z = new double[ny][nx];
        for (int i = 0; i < nx; i++) {
            xs[i] = -3 + 6.0 * i / (nx - 1);
        }
        for (int j = 0; j < ny; j++) {
            ys[j] = -2 + 4.0 * j / (ny - 1);
            for (int i = 0; i < nx; i++) {
                z[j][i] = Math.exp(-(xs[i] * xs[i] + ys[j] * ys[j]) / 2);
            }
        }
        z[0][0] = Double.NaN; // missing values must not break the colour range
        var png = dir.resolve("density.png");
        Plots.heatmap(png, "Density", xs, ys, z);
        var img = assertPng(png, 640, 480);

        // The peak at the centre of the plot area is the top colour, the corner the bottom one.
        int cx = 70 + (640 - 70 - 100) / 2;
        int cy = 40 + (480 - 40 - 55) / 2;
        assertClose(HeatMapRenderer.colour(1).getRGB(), img.getRGB(cx, cy));
        assertClose(HeatMapRenderer.colour(0).getRGB(), img.getRGB(75, 480 - 55 - 20));
        assertNotEquals(img.getRGB(cx, cy), img.getRGB(75, 480 - 55 - 20));
    }

    @Test
    void heatmapRejectsMismatchedGrid() {
        assertThrows(IllegalArgumentException.class,
                () -> Plots.heatmap(dir.resolve("h.png"), "t", new double[] {0, 1}, new double[] {0}, new double[][] {{1}}));
        assertThrows(IllegalArgumentException.class,
                () -> Plots.heatmap(dir.resolve("h.png"), "t", new double[] {1, 0}, new double[] {0}, new double[][] {{1, 2}}));
    }

    @Test
    void niceTicksAreRoundNumbers() {
        var ticks = HeatMapRenderer.niceTicks(-3.05, 3.05);
        assertEquals(List.of(-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0), ticks.values());
        assertEquals("0", ticks.label(ticks.values().get(3)));
        var small = HeatMapRenderer.niceTicks(0, 0.01);
        assertEquals("0.002", small.label(small.values().get(1)));
    }

    /** Per-channel comparison: the peak of a sampled Gaussian is only close to the top of the range. */
    private static void assertClose(int expectedRgb, int actualRgb) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = expectedRgb >> shift & 0xFF;
            int a = actualRgb >> shift & 0xFF;
            assertTrue(Math.abs(e - a) <= 12, String.format("expected ~%06X, got %06X", expectedRgb & 0xFFFFFF, actualRgb & 0xFFFFFF));
        }
    }

    private static BufferedImage assertPng(Path png, int width, int height) throws IOException {
        assertTrue(Files.size(png) > 1000, "PNG is suspiciously small");
        var img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO cannot read " + png);
        assertEquals(width, img.getWidth());
        assertEquals(height, img.getHeight());
        try (var files = Files.list(png.getParent())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "temp file left behind");
        }
        return img;
    }
}
