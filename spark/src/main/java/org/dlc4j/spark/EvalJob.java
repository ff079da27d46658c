package org.dlc4j.spark;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureMatrix;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.FeatureSet;
import org.dlc4j.eval.GaussianStats;
import org.dlc4j.eval.Images;
import org.dlc4j.eval.Reference;
import org.dlc4j.util.InvalidInputException;

/**
 * Scores a set of images across a cluster as {@code dlc eval} scores it on one machine. The executors embed their
 * share with the feature network (loaded once each) and send back the Gaussian statistics of their share, overall, in
 * the spatial space and per class, which the driver merges exactly ({@link GaussianStats#merge}) for FD, sFD and
 * per-class FD. KID (random subsets of both sets), IS (splits in index order), precision/recall (k-NN radii of each set
 * over the other: a second pass over the features) and Vendi (eigenvalues of the whole set's kernel) need the
 * features themselves: the executors send the penultimate and spatial features and class probabilities along
 * (4·(256 + 784 + classes) bytes an image for the shipped network) and the driver computes them in index order. So every
 * metric equals the one-machine evaluation of the same images.
 */
public final class EvalJob {
    /**
     * @param input    Parquet with an {@code image} column of PNG bytes (and {@code index} or {@code id} to order by,
     *                 {@code label} for the class asked for), e.g. the generate job's output; or a folder of pictures
     * @param ref      "test" or "train" (Fashion-MNIST, stored statistics) or a folder / .npz of reference images
     * @param refN     reference images whose features KID and precision/recall use
     */
    public record Settings(Path input, Path features, boolean allowUnpinned, String ref, Path data, int refN, long seed, Path output,
                           int partitions, boolean overwrite, boolean shipModels) {
    }

    public record Result(Evaluator.Report report, double seconds) {
        public double imagesPerSecond() {
            return report.count() / Math.max(seconds, 1e-9);
        }
    }

    /** One partition's share: its images' order keys, features and probabilities, and the statistics of its features. */
    record Shard(List<String> keys, List<Integer> labels, int size, float[] pool, float[] spatial, float[] probs, Stats poolStats,
                 Stats spatialStats, Map<Integer, Stats> perClass) implements Serializable {
    }

    /** {@link GaussianStats} as plain arrays, to travel. */
    record Stats(int dim, long count, double[] mean, double[] cov) implements Serializable {
        static Stats of(GaussianStats g) {
            return new Stats(g.dim(), g.count(), g.mean(), g.cov());
        }

        GaussianStats toGaussian() {
            return new GaussianStats(dim, count, mean, cov);
        }
    }

    private EvalJob() {}

    public static Result run(SparkSession spark, Settings s) {
        if (!Files.exists(s.input())) {
            throw InvalidInputException.of("input", "input " + s.input() + " not found: give Parquet with an image column or a folder of pictures");
        }
        Jobs.checkOutput(s.output(), s.overwrite());
        long start = System.nanoTime();
        Models.Ref net = Models.Ref.of(spark, s.features(), "features", s.shipModels());
        try (NDManager manager = NDManager.newBaseManager(); FeatureNet driverNet = FeatureNet.load(manager, s.features(), s.allowUnpinned())) {
            Dataset<Row> images = read(spark, s.input());
            JavaRDD<Row> rows = s.partitions() > 0 ? images.javaRDD().repartition(s.partitions()) : images.javaRDD();
            boolean unpinned = s.allowUnpinned();
            List<Shard> shards = Jobs.run(() -> rows.mapPartitions(part -> embed(part, net, unpinned)).collect());
            List<Shard> used = shards.stream().filter(sh -> sh.size() > 0).sorted(Comparator.comparing(sh -> sh.keys().get(0))).toList();
            if (used.isEmpty()) {
                throw InvalidInputException.of("input", s.input() + " holds no images");
            }
            FeatureSet features = assemble(used, driverNet.config());
            Evaluator.SetStats stats = merge(used);
            Reference reference = Reference.open(s.ref(), s.data(), s.refN(), driverNet, manager);
            Evaluator.Report report = Evaluator.evaluate(s.input().getFileName().toString(), features, stats, reference.stats(), reference.features(),
                    Evaluator.Options.defaults(s.seed()), manager);
            Evaluator.writeJson(s.output(), driverNet, reference.stats(), List.of(report), s.seed());
            return new Result(report, (System.nanoTime() - start) / 1e9);
        }
    }

    /** (key, image bytes, label) rows: Parquet's columns (key: index, else id), or a folder's files (key: the path). */
    private static Dataset<Row> read(SparkSession spark, Path input) {
        String path = input.toString();
        if (Jobs.isParquet(input)) {
            Dataset<Row> df = spark.read().parquet(path);
            List<String> cols = List.of(df.columns());
            if (!cols.contains("image")) {
                throw InvalidInputException.of("input", path + " has no 'image' column (PNG bytes); its columns: " + cols);
            }
            // Index keys are zero-padded so that they sort as numbers do.
            String key = cols.contains("index") ? "lpad(cast(index as string), 19, '0')" : cols.contains("id") ? "cast(id as string)" : null;
            if (key == null) {
                throw InvalidInputException.of("input", path + " has neither an 'index' nor an 'id' column to keep the images in order");
            }
            return df.selectExpr(key + " as key", "image", cols.contains("label") ? "cast(label as int) as label" : "cast(null as int) as label");
        }
        return Jobs.pictureFiles(spark, input).selectExpr("path as key", "content as image", "cast(null as int) as label");
    }


    private static Iterator<Shard> embed(Iterator<Row> part, Models.Ref ref, boolean unpinned) {
        FeatureNet net = Models.get(ref, (m, p) -> FeatureNet.load(m, p, unpinned));
        List<Row> rows = new ArrayList<>();
        part.forEachRemaining(rows::add);
        rows.sort(Comparator.comparing(r -> r.getString(0)));
        if (rows.isEmpty()) {
            return List.of(new Shard(List.of(), List.of(), 0, new float[0], new float[0], new float[0], null, null, Map.of())).iterator();
        }
        int size = side(rows.get(0));
        int channels = net.config().channels();
        ImageFolder.Options exact = ImageFolder.Options.colour(size).withChannels(channels);
        byte[] pixels = new byte[rows.size() * channels * size * size];
        List<String> keys = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (side(r) != size) {
                throw InvalidInputException.of("input", "image " + r.getString(0) + " is not " + size + "×" + size + " like the others: score one size at a time");
            }
            System.arraycopy(ImageFolder.pixels((byte[]) r.get(1), exact), 0, pixels, i * channels * size * size, channels * size * size);
            keys.add(r.getString(0));
            labels.add(r.isNullAt(2) ? null : r.getInt(2));
        }
        boolean labelled = labels.stream().allMatch(java.util.Objects::nonNull);
        int[] labelArray = labelled ? labels.stream().mapToInt(Integer::intValue).toArray() : null;
        ImageDataset set = new ImageDataset("share", rows.size(), channels, size, size, pixels, labelArray, null, List.of());
        FeatureSet f = net.embed(Images.toFeatureInput(set, net.config()), FeatureNet.EMBED_BATCH);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<Integer, Stats> perClass = new TreeMap<>();
            for (int c = 0; labelled && c < f.classes(); c++) {
                int[] idx = f.indicesOf(c);
                if (idx.length > 0) {
                    perClass.put(c, Stats.of(stats(f.pool().select(idx), m)));
                }
            }
            return List.of(new Shard(keys, labelled ? labels : null, rows.size(), f.pool().data(), f.spatial().data(), f.probs(),
                    Stats.of(stats(f.pool(), m)), Stats.of(stats(f.spatial(), m)), perClass)).iterator();
        }
    }

    /** A share's statistics: one image has no scatter of its own, but merges all the same. */
    private static GaussianStats stats(FeatureMatrix f, NDManager m) {
        return f.rows() == 1 ? GaussianStats.ofOne(f.row(0)) : GaussianStats.of(f, m);
    }

    private static int side(Row r) {
        try {
            var image = ImageIO.read(new ByteArrayInputStream((byte[]) r.get(1)));
            if (image == null) {
                throw InvalidInputException.of("input", "image " + r.getString(0) + " is not a PNG or JPEG picture");
            }
            if (image.getWidth() != image.getHeight()) {
                throw InvalidInputException.of("input", "image " + r.getString(0) + " is " + image.getWidth() + "×" + image.getHeight()
                        + ": the feature network scores square images");
            }
            return image.getWidth();
        } catch (IOException e) {
            throw new InvalidInputException("image " + r.getString(0) + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The shares' features in key order (the shares are sorted by their first key and each is sorted within). */
    private static FeatureSet assemble(List<Shard> shards, FeatureNet.Config c) {
        List<Shard> ordered = new ArrayList<>(shards);
        int n = ordered.stream().mapToInt(Shard::size).sum();
        float[] pool = new float[n * c.features()];
        float[] spatial = new float[n * c.spatialDim()];
        float[] probs = new float[n * c.classes()];
        boolean labelled = ordered.stream().allMatch(sh -> sh.labels() != null);
        int[] labels = labelled ? new int[n] : null;
        // Shares are disjoint ranges only if the input was; sort every image by key to be sure.
        TreeMap<String, int[]> where = new TreeMap<>();
        for (int s = 0; s < ordered.size(); s++) {
            for (int i = 0; i < ordered.get(s).size(); i++) {
                if (where.put(ordered.get(s).keys().get(i), new int[] {s, i}) != null) {
                    throw InvalidInputException.of("input", "two images have the key " + ordered.get(s).keys().get(i) + ": give each its own index or id");
                }
            }
        }
        int row = 0;
        for (int[] at : where.values()) {
            Shard sh = ordered.get(at[0]);
            int i = at[1];
            System.arraycopy(sh.pool(), i * c.features(), pool, row * c.features(), c.features());
            System.arraycopy(sh.spatial(), i * c.spatialDim(), spatial, row * c.spatialDim(), c.spatialDim());
            System.arraycopy(sh.probs(), i * c.classes(), probs, row * c.classes(), c.classes());
            if (labels != null) {
                labels[row] = sh.labels().get(i);
            }
            row++;
        }
        return new FeatureSet(new FeatureMatrix(n, c.features(), pool), new FeatureMatrix(n, c.spatialDim(), spatial), probs, c.classes(), labels);
    }

    /** The shares' statistics merged in share order. */
    private static Evaluator.SetStats merge(List<Shard> shards) {
        Map<Integer, List<GaussianStats>> classes = new LinkedHashMap<>();
        for (Shard sh : shards) {
            sh.perClass().forEach((c, st) -> classes.computeIfAbsent(c, k -> new ArrayList<>()).add(st.toGaussian()));
        }
        Map<Integer, GaussianStats> perClass = new TreeMap<>();
        classes.forEach((c, parts) -> {
            if (parts.stream().mapToLong(GaussianStats::count).sum() >= 2) {
                perClass.put(c, GaussianStats.merge(parts));
            }
        });
        return new Evaluator.SetStats(GaussianStats.merge(shards.stream().map(sh -> sh.poolStats().toGaussian()).toList()),
                GaussianStats.merge(shards.stream().map(sh -> sh.spatialStats().toGaussian()).toList()), perClass);
    }
}
