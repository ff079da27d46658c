package org.dlc4j.report;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.dlc4j.data.ImageDataset;

/** The row layouts the commands and the demo draw: a picture, then the images that go with it. */
public final class Grids {
    private Grids() {}

    /** One row per query: the query image, then its neighbours from the gallery; shorter rows end in white. */
    public static void rows(Path png, ImageDataset queries, int[] queryIdx, ImageDataset gallery, int[][] neighbours) {
        int cols = 1 + Arrays.stream(neighbours).mapToInt(n -> n.length).max().orElse(0);
        int size = gallery.imageSize();
        float[] images = new float[queryIdx.length * cols * size];
        Arrays.fill(images, 1f);
        for (int r = 0; r < queryIdx.length; r++) {
            System.arraycopy(queries.image(queryIdx[r]), 0, images, r * cols * size, size);
            System.arraycopy(gallery.batch(neighbours[r]), 0, images, (r * cols + 1) * size, neighbours[r].length * size);
        }
        ImageGrid.write(png, images, queryIdx.length * cols, gallery.channels(), gallery.height(), gallery.width(), cols, 2, 2);
    }

    /** One row per source: the source image (white for a bare code), then an equal share of the compositions. */
    public static void compositions(Path png, ImageDataset sources, ImageDataset samples) {
        int k = sources.count();
        int per = (samples.count() + k - 1) / k;
        int[] sourceIdx = new int[k];
        int[][] rows = new int[k][];
        for (int r = 0; r < k; r++) {
            sourceIdx[r] = r;
            int from = Math.min(samples.count(), r * per);
            int to = Math.min(samples.count(), from + per);
            rows[r] = IntStream.range(from, to).toArray();
        }
        rows(png, sources, sourceIdx, samples, rows);
    }
}
