package org.dlc4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a heat map with numeric axes and a colour bar. Hand-rolled because XChart's heat map treats
 * every grid coordinate as a category label, which is unreadable for the 50–200 point grids we plot.
 */
final class HeatMapRenderer {
    private HeatMapRenderer() {}

    static final int WIDTH = 640;
    static final int HEIGHT = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 100;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;
    private static final Color MISSING = new Color(0xD0D0D0);

    /** matplotlib's viridis sampled at 9 evenly spaced points: perceptually uniform and colour-blind safe. */
    private static final int[] VIRIDIS = {
        0x440154, 0x472C7A, 0x3B518B, 0x2C718E, 0x21908D, 0x27AD81, 0x5CC863, 0xAADC32, 0xFDE725
    };

    /** z[iy][ix] is the value at (xs[ix], ys[iy]); xs and ys must be strictly increasing. */
    static BufferedImage render(String title, String xLabel, String yLabel, double[] xs, double[] ys, double[][] z) {
        if (z.length != ys.length) {
            throw new IllegalArgumentException("z has " + z.length + " rows but there are " + ys.length + " ys");
        }
        for (double[] row : z) {
            if (row.length != xs.length) {
                throw new IllegalArgumentException("a row of z has " + row.length + " values but there are " + xs.length + " xs");
            }
        }
        double[] xEdges = edges(xs, "xs");
        double[] yEdges = edges(ys, "ys");
        double[] zRange = finiteRange(z);

        var image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            var plot = new Plot(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM,
                    xEdges[0], xEdges[xEdges.length - 1], yEdges[0], yEdges[yEdges.length - 1]);
            drawCells(g, plot, xEdges, yEdges, z, zRange);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            drawAxes(g, plot, title, xLabel, yLabel);
            drawColourBar(g, plot, zRange);
        } finally {
            g.dispose();
        }
        return image;
    }

    private record Plot(int left, int top, int width, int height, double xMin, double xMax, double yMin, double yMax) {
        int px(double x) {
            return left + (int) Math.round((x - xMin) / (xMax - xMin) * width);
        }

        int py(double y) {
            return top + height - (int) Math.round((y - yMin) / (yMax - yMin) * height);
        }
    }

    private static void drawCells(Graphics2D g, Plot plot, double[] xEdges, double[] yEdges, double[][] z, double[] zRange) {
        for (int iy = 0; iy < z.length; iy++) {
            int yTop = plot.py(yEdges[iy + 1]);
            int yBottom = plot.py(yEdges[iy]);
            for (int ix = 0; ix < z[iy].length; ix++) {
                // Shared rounded edges between neighbours: no gaps or overlaps whatever the cell size.
                int xLeft = plot.px(xEdges[ix]);
                int xRight = plot.px(xEdges[ix + 1]);
                double v = z[iy][ix];
                g.setColor(Double.isFinite(v) ? colour((v - zRange[0]) / (zRange[1] - zRange[0])) : MISSING);
                g.fillRect(xLeft, yTop, xRight - xLeft, yBottom - yTop);
            }
        }
    }

    private static void drawAxes(Graphics2D g, Plot plot, String title, String xLabel, String yLabel) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(plot.left(), plot.top(), plot.width(), plot.height());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        var fm = g.getFontMetrics();
        int bottom = plot.top() + plot.height();
        var xTicks = niceTicks(plot.xMin(), plot.xMax());
        for (double t : xTicks.values()) {
            int x = plot.px(t);
            g.drawLine(x, bottom, x, bottom + 4);
            String label = xTicks.label(t);
            g.drawString(label, x - fm.stringWidth(label) / 2, bottom + 6 + fm.getAscent());
        }
        var yTicks = niceTicks(plot.yMin(), plot.yMax());
        for (double t : yTicks.values()) {
            int y = plot.py(t);
            g.drawLine(plot.left() - 4, y, plot.left(), y);
            String label = yTicks.label(t);
            g.drawString(label, plot.left() - 7 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        fm = g.getFontMetrics();
        if (!xLabel.isEmpty()) {
            g.drawString(xLabel, plot.left() + (plot.width() - fm.stringWidth(xLabel)) / 2, HEIGHT - 12);
        }
        if (!yLabel.isEmpty()) {
            var saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -(plot.top() + (plot.height() + fm.stringWidth(yLabel)) / 2), 18);
            g.setTransform(saved);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        fm = g.getFontMetrics();
        g.drawString(title, (WIDTH - fm.stringWidth(title)) / 2, 26);
    }

    private static void drawColourBar(Graphics2D g, Plot plot, double[] zRange) {
        int x = plot.left() + plot.width() + 18;
        int barWidth = 16;
        for (int i = 0; i < plot.height(); i++) {
            g.setColor(colour(1.0 - (i + 0.5) / plot.height()));
            g.fillRect(x, plot.top() + i, barWidth, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x, plot.top(), barWidth, plot.height());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        var fm = g.getFontMetrics();
        double span = zRange[1] - zRange[0];
        var ticks = niceTicks(zRange[0], zRange[1]);
        for (double t : ticks.values()) {
            int y = plot.top() + plot.height() - (int) Math.round((t - zRange[0]) / span * plot.height());
            g.drawLine(x + barWidth, y, x + barWidth + 4, y);
            g.drawString(ticks.label(t), x + barWidth + 7, y + fm.getAscent() / 2 - 1);
        }
    }

    /** Piecewise-linear interpolation in the viridis table; t is clamped to [0, 1]. */
    static Color colour(double t) {
        double s = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min((int) s, VIRIDIS.length - 2);
        double f = s - i;
        int a = VIRIDIS[i];
        int b = VIRIDIS[i + 1];
        return new Color(lerp(a >> 16, b >> 16, f), lerp(a >> 8 & 0xFF, b >> 8 & 0xFF, f), lerp(a & 0xFF, b & 0xFF, f));
    }

    private static int lerp(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }

    /** Cell boundaries halfway between grid points, extended by half a spacing at the ends. */
    private static double[] edges(double[] centres, String name) {
        int n = centres.length;
        if (n == 0) {
            throw new IllegalArgumentException(name + " is empty");
        }
        double[] e = new double[n + 1];
        if (n == 1) {
            e[0] = centres[0] - 0.5;
            e[1] = centres[0] + 0.5;
            return e;
        }
        for (int i = 1; i < n; i++) {
            if (!(centres[i] > centres[i - 1])) {
                throw new IllegalArgumentException(name + " must be strictly increasing");
            }
            e[i] = (centres[i - 1] + centres[i]) / 2;
        }
        e[0] = centres[0] - (centres[1] - centres[0]) / 2;
        e[n] = centres[n - 1] + (centres[n - 1] - centres[n - 2]) / 2;
        return e;
    }

    private static double[] finiteRange(double[][] z) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : z) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            double half = Math.max(Math.abs(lo) * 0.05, 0.5); // a constant field still needs a visible scale
            return new double[] {lo - half, hi + half};
        }
        return new double[] {lo, hi};
    }

    /** Round-number ticks (1, 2 or 5 × 10^k apart) inside [lo, hi], about five of them. */
    record Ticks(List<Double> values, double step) {
        /** Just enough decimals for the step; scientific notation for extreme magnitudes. */
        String label(double v) {
            if (Math.abs(v) < step * 1e-9) {
                return "0"; // k * step can land at -1e-17 and print as "-0.0"
            }
            if (Math.abs(v) >= 1e6 || step < 1e-4) {
                return String.format(Locale.ROOT, "%.2e", v);
            }
            int decimals = (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }

    static Ticks niceTicks(double lo, double hi) {
        double rough = (hi - lo) / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double r = rough / magnitude;
        double step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * magnitude;
        var values = new ArrayList<Double>();
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
            values.add(k * step);
        }
        return new Ticks(values, step);
    }
}
