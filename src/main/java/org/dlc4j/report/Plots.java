package org.dlc4j.report;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts for training curves, 2-D sample clouds and density maps. */
public final class Plots {
    static {
        // Charts are drawn into images only; never try to reach a display (servers and CI have none).
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    static final int WIDTH = 640;
    static final int HEIGHT = 480;
    static final int SCATTER_SIZE = 600;

    public record Series(String name, double[] x, double[] y) {
        public Series {
            Objects.requireNonNull(name, "name");
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values but "
                        + y.length + " y values");
            }
        }
    }

    /** Lines with markers; log axes require every value on that axis to be positive. */
    public static void line(Path png, String title, String xLabel, String yLabel, List<Series> series,
                            boolean logX, boolean logY) {
        var chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        var styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
        styler.setXAxisLogarithmic(logX);
        styler.setYAxisLogarithmic(logY);
        styler.setMarkerSize(5);
        styler.setLegendVisible(series.size() > 1);
        // Rising curves leave the top left free, falling ones the top right.
        double[] y0 = series.isEmpty() ? new double[0] : series.get(0).y();
        boolean falling = y0.length > 1 && y0[y0.length - 1] < y0[0];
        styler.setLegendPosition(falling ? LegendPosition.InsideNE : LegendPosition.InsideNW);
        for (var s : series) {
            if (logX) {
                requirePositive(s, s.x(), "x");
            }
            if (logY) {
                requirePositive(s, s.y(), "y");
            }
            chart.addSeries(s.name(), s.x(), s.y());
        }
        save(png, chart);
    }

    /**
     * A square scatter plot, built for tens of thousands of points: markers only, no lines.
     * {@code xRange}/{@code yRange} are {min, max}, or null to fit the data.
     */
    public static void scatter(Path png, String title, List<Series> series, double[] xRange, double[] yRange,
                               int markerSize) {
        var chart = new XYChartBuilder().width(SCATTER_SIZE).height(SCATTER_SIZE).title(title).build();
        var styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        styler.setMarkerSize(markerSize);
        styler.setLegendVisible(series.size() > 1);
        styler.setLegendPosition(LegendPosition.InsideNE);
        if (xRange != null) {
            styler.setXAxisMin(xRange[0]).setXAxisMax(xRange[1]);
        }
        if (yRange != null) {
            styler.setYAxisMin(yRange[0]).setYAxisMax(yRange[1]);
        }
        for (var s : series) {
            chart.addSeries(s.name(), s.x(), s.y()).setMarker(SeriesMarkers.CIRCLE);
        }
        save(png, chart);
    }

    /** A heat map of z[iy][ix] over grid points (xs[ix], ys[iy]), with a viridis colour bar. */
    public static void heatmap(Path png, String title, double[] xs, double[] ys, double[][] z) {
        heatmap(png, title, "", "", xs, ys, z);
    }

    public static void heatmap(Path png, String title, String xLabel, String yLabel,
                               double[] xs, double[] ys, double[][] z) {
        ImageGrid.writePng(png, HeatMapRenderer.render(title, xLabel, yLabel, xs, ys, z));
    }

    private static void requirePositive(Series s, double[] values, String axis) {
        for (double v : values) {
            if (v <= 0) {
                throw new IllegalArgumentException("series '" + s.name() + "' has " + axis + " value " + v
                        + ", which a logarithmic " + axis + " axis cannot show");
            }
        }
    }

    private static void save(Path png, XYChart chart) {
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        ImageGrid.writePng(png, BitmapEncoder.getBufferedImage(chart));
    }
}
