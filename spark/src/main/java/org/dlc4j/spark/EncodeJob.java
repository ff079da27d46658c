package org.dlc4j.spark;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.io.Json;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;

/**
 * Pictures → their discrete latent codes, across a cluster: a folder of PNG/JPEG pictures (read by Spark's binaryFile
 * source; sub-folders are classes, as for {@code dlc chain --folder}) or Parquet with an {@code image} column of PNG/JPEG
 * bytes (and optional {@code id}, {@code label}) becomes Parquet of (id, tokens, label, encoder_sha). Each executor loads
 * the encoder once and encodes its pictures in batches; a picture's code does not depend on the batch it fell in, so
 * the codes are those one machine gives ({@code TrainedEncoder.codes} on the same pictures), bit for bit.
 */
public final class EncodeJob {
    /** The output's columns. */
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("label", DataTypes.IntegerType, true)
            .add("encoder_sha", DataTypes.StringType, false);

    /**
     * @param input      a folder of pictures, or Parquet (a {@code .parquet} file or a folder of them) with an {@code image} column
     * @param size       the side the pictures have (28 for Fashion-MNIST); with {@code fit} they are brought to it instead
     * @param fit        null: a picture of another size is an error; else how pictures of other sizes are made square
     * @param batch      pictures per forward pass on an executor
     * @param partitions how many parts the pictures are split into (0: Spark's choice)
     */
    public record Settings(Path input, Path output, Path encoder, int size, ImageFolder.Fit fit, int background, int batch, int partitions,
                           boolean overwrite, boolean shipModels) {
        public Settings {
            if (batch < 1) {
                throw InvalidInputException.of("batch", "batch must be at least 1, not " + batch);
            }
        }
    }

    /** What a run did: codes written, pictures left out (with the first reasons), and its speed. */
    public record Result(long encoded, List<String> skipped, String encoderSha, int classes, double seconds) {
        public double picturesPerSecond() {
            return encoded / Math.max(seconds, 1e-9);
        }
    }

    private EncodeJob() {}

    public static Result run(SparkSession spark, Settings s) {
        if (!Files.exists(s.input())) {
            throw InvalidInputException.of("input", "input " + s.input() + " not found: give a folder of pictures or a Parquet file");
        }
        Jobs.checkOutput(s.output(), s.overwrite());
        long start = System.nanoTime();
        Models.Ref encoder = Models.Ref.of(spark, s.encoder(), "encoder", s.shipModels());
        int channels;
        try (NDManager m = NDManager.newBaseManager(); TrainedEncoder enc = TrainedEncoder.load(m, s.encoder())) {
            channels = enc.config().channels();
            if (s.size() > enc.config().image()) {
                throw InvalidInputException.of("size", "the encoder reads pictures of at most " + enc.config().image() + " px, not " + s.size());
            }
        }
        ImageFolder.Options options = ImageFolder.Options.colour(s.size()).withChannels(channels)
                .withFit(s.fit() != null ? s.fit() : ImageFolder.Fit.CROP).withBackground(s.background());
        boolean exact = s.fit() == null;
        Dataset<Row> pictures = read(spark, s.input());
        List<String> classes = pictures.columns().length == 3 ? List.of() : classesOf(pictures, s.input());
        CollectionAccumulator<String> skipped = spark.sparkContext().collectionAccumulator("skipped pictures");
        String root = s.input().toAbsolutePath().normalize().toString() + "/";
        JavaRDD<Row> rows = pictures.javaRDD();
        if (s.partitions() > 0) {
            rows = rows.repartition(s.partitions());
        }
        // Tasks carry plain values: the reading options travel as JSON.
        String optionsJson = Json.GSON.toJson(options);
        int batch = s.batch();
        JavaRDD<Row> codes = rows.mapPartitions(part -> encode(part, encoder, Json.read(optionsJson, ImageFolder.Options.class), exact, batch, root,
                classes, skipped));
        Jobs.write(spark, s.output(), () -> spark.createDataFrame(codes, SCHEMA).write().mode(s.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                .parquet(s.output().toString()));
        long written = spark.read().parquet(s.output().toString()).count();
        List<String> left = new ArrayList<>(new TreeSet<>(skipped.value())); // a retried task reports its pictures again
        return new Result(written, left, encoder.sha256(), classes.size(), (System.nanoTime() - start) / 1e9);
    }

    /** (id, image bytes, label) rows: Parquet's own columns, or a folder's files (id: the path under the folder). */
    private static Dataset<Row> read(SparkSession spark, Path input) {
        String path = input.toString();
        if (Jobs.isParquet(input)) {
            Dataset<Row> df = spark.read().parquet(path);
            List<String> cols = List.of(df.columns());
            if (!cols.contains("image")) {
                throw InvalidInputException.of("input", path + " has no 'image' column (PNG or JPEG bytes); its columns: " + cols);
            }
            if (!cols.contains("id")) {
                throw InvalidInputException.of("input", path + " has no 'id' column: name each picture, so that its code can be found");
            }
            return df.selectExpr("cast(id as string) as id", "image", cols.contains("label") ? "cast(label as int) as label" : "cast(null as int) as label");
        }
        return Jobs.pictureFiles(spark, input).selectExpr("path", "content");
    }


    /** A folder's classes: its sub-folders' names, sorted, when every picture is in one (else none), as {@link ImageFolder#load}. */
    private static List<String> classesOf(Dataset<Row> files, Path input) {
        String root = input.toAbsolutePath().normalize().toString() + "/";
        List<String> rel = files.select("path").as(org.apache.spark.sql.Encoders.STRING()).collectAsList().stream().map(p -> relative(p, root)).toList();
        if (rel.isEmpty()) {
            throw InvalidInputException.of("input", input + " holds no .png, .jpg or .jpeg files (sub-folders included)");
        }
        boolean labelled = rel.stream().allMatch(r -> r.contains("/"));
        return labelled ? new ArrayList<>(new TreeSet<>(rel.stream().map(r -> r.substring(0, r.indexOf('/'))).toList())) : List.of();
    }

    private static String relative(String uri, String root) {
        String p = URI.create(uri).getPath();
        return p.startsWith(root) ? p.substring(root.length()) : p;
    }

    /** One partition: pictures decoded, checked and encoded in batches; the unusable ones reported and left out. */
    private static Iterator<Row> encode(Iterator<Row> part, Models.Ref ref, ImageFolder.Options o, boolean exact, int batch, String root,
                                        List<String> classes, CollectionAccumulator<String> skipped) {
        TrainedEncoder enc = Models.get(ref, TrainedEncoder::load);
        int plane = o.channels() * o.size() * o.size();
        int l = enc.config().length();
        List<Row> out = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        byte[] pixels = new byte[batch * plane];
        while (part.hasNext()) {
            Row r = part.next();
            boolean folder = r.schema().fieldNames()[0].equals("path");
            String id = folder ? relative(r.getString(0), root) : r.getString(0);
            byte[] bytes = (byte[]) r.get(1);
            byte[] converted;
            try {
                converted = ImageFolder.pixels(bytes, o);
            } catch (InvalidInputException e) {
                skipped.add(id + ": " + e.getMessage());
                continue;
            }
            if (exact) {
                checkSize(id, bytes, o.size());
            }
            System.arraycopy(converted, 0, pixels, ids.size() * plane, plane);
            ids.add(id);
            labels.add(folder ? (classes.isEmpty() ? null : classes.indexOf(id.substring(0, id.indexOf('/')))) : r.isNullAt(2) ? null : r.getInt(2));
            if (ids.size() == batch || !part.hasNext()) {
                flush(enc, pixels, ids, labels, o, l, ref.sha256(), out);
            }
        }
        if (!ids.isEmpty()) {
            flush(enc, pixels, ids, labels, o, l, ref.sha256(), out);
        }
        return out.iterator();
    }

    private static void flush(TrainedEncoder enc, byte[] pixels, List<String> ids, List<Integer> labels, ImageFolder.Options o, int l, String sha,
                              List<Row> out) {
        int n = ids.size();
        int plane = o.channels() * o.size() * o.size();
        var set = new ImageDataset("pictures", n, o.channels(), o.size(), o.size(), java.util.Arrays.copyOf(pixels, n * plane), null, null, List.of());
        int[] tokens = enc.encode(set, enc.config().tau(), false, false, n).tokens();
        for (int i = 0; i < n; i++) {
            Integer[] code = new Integer[l];
            for (int j = 0; j < l; j++) {
                code[j] = tokens[i * l + j];
            }
            out.add(RowFactory.create(ids.get(i), code, labels.get(i), sha));
        }
        ids.clear();
        labels.clear();
    }

    /** Refuses a picture that is not the size the job was told (a size mismatch is not silently resized). */
    private static void checkSize(String id, byte[] bytes, int size) {
        try {
            var image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image.getWidth() != size || image.getHeight() != size) {
                throw InvalidInputException.of("size", String.format(Locale.ROOT, "picture %s is %d×%d, not %d×%d: resize the pictures, or let the"
                        + " job bring them to that size (--fit crop or pad)", id, image.getWidth(), image.getHeight(), size, size));
            }
        } catch (IOException e) {
            throw new InvalidInputException("picture " + id + " cannot be read: " + e.getMessage(), e);
        }
    }
}
