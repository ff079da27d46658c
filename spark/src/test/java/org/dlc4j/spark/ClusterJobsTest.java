package org.dlc4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.eval.Evaluator;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Reference;
import org.dlc4j.pipeline.Generated;
import org.dlc4j.pipeline.Generator;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.sem.TrainedEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three jobs on a real standalone cluster on loopback (a Master and two Workers in their own JVMs, each executor a
 * JVM of its own) against what this JVM computes alone with the same models: codes and images bit-identical, metrics to
 * 1e-6; and a job that loses an executor in the middle finishes with every row once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterJobsTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static SparkSession spark;
    /** Executor of every finished task, and the tasks that failed, by job listener. */
    static final Map<Long, String> taskExecutors = new ConcurrentHashMap<>();
    static final Set<String> failures = ConcurrentHashMap.newKeySet();
    static volatile CountDownLatch started = new CountDownLatch(1);

    static final ModelStore MODELS = ModelStore.shipped();
    static final PriorSampler.Config PRIOR = PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, 8, 0.01);

    @BeforeAll
    static void start() {
        cluster = Fixtures.cluster(dir.resolve("cluster"), 2);
        spark = new Session(cluster.url(), "1g", 2).start("cluster jobs test");
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart e) {
                started.countDown();
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                taskExecutors.put(e.taskInfo().taskId(), e.taskInfo().executorId());
                if (!e.reason().toString().equals("Success")) {
                    failures.add(e.reason().toString());
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void encodingOnTheClusterGivesTheCodesOneMachineGives() throws Exception {
        Path pictures = Fixtures.pictures(dir.resolve("pictures"), 48);
        taskExecutors.clear();
        var r = EncodeJob.run(spark, new EncodeJob.Settings(pictures, dir.resolve("codes"), MODELS.encoder(), 28, null, 0xFFFFFF, 8, 4, false, false));
        assertEquals(48, r.encoded());
        assertEquals(10, r.classes());
        // Distributed: two executors, each its own process, took tasks.
        assertEquals(2, new HashSet<>(taskExecutors.values()).size(), "tasks ran on " + taskExecutors);
        List<ProcessHandle> executors = cluster.executors();
        assertEquals(2, executors.size());
        assertTrue(executors.stream().noneMatch(p -> p.pid() == ProcessHandle.current().pid()));

        Map<String, Row> byId = new HashMap<>();
        spark.read().parquet(dir.resolve("codes").toString()).collectAsList().forEach(row -> byId.put(row.getString(0), row));
        var loaded = ImageFolder.load(pictures, ImageFolder.Options.colour(28).withChannels(1));
        try (NDManager m = NDManager.newBaseManager(); TrainedEncoder enc = TrainedEncoder.load(m, MODELS.encoder())) {
            var alone = enc.codes(loaded.data(), enc.config().tau(), false);
            int l = alone.length();
            for (int i = 0; i < loaded.files().size(); i++) {
                Row row = byId.get(loaded.files().get(i));
                List<Integer> tokens = row.getList(1);
                for (int j = 0; j < l; j++) {
                    assertEquals(alone.tokens()[i * l + j], tokens.get(j), loaded.files().get(i) + " position " + j);
                }
                assertEquals(loaded.data().labels()[i], row.getInt(2), "the class folder is the label");
                assertEquals(enc.sha256(), row.getString(3));
            }
        }
        // The same pictures as Parquet (id, image, label): the same codes.
        Path parquet = dir.resolve("pictures.parquet");
        spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(pictures.toString())
                .selectExpr("substring(path, " + (pictures.toUri().toString().replace("file:///", "file:/").length() + 1) + ") as id", "content as image")
                .write().parquet(parquet.toString());
        var again = EncodeJob.run(spark, new EncodeJob.Settings(parquet, dir.resolve("codes2"), MODELS.encoder(), 28, null, 0xFFFFFF, 8, 2, false, false));
        assertEquals(48, again.encoded());
        for (Row row : spark.read().parquet(dir.resolve("codes2").toString()).collectAsList()) {
            assertEquals(byId.get(row.getString(0)).getList(1), row.getList(1), row.getString(0));
        }
    }

    @Test
    void generatingOnTheClusterDrawsTheImagesOneMachineDraws() throws Exception {
        var sampling = new DitSampling.Options(SamplerConfig.ddim(3, 0.0), 3.0, Integer.MAX_VALUE, 2);
        Path out = dir.resolve("generated");
        var r = GenerateJob.run(spark, new GenerateJob.Settings(7, 11, PRIOR, sampling, MODELS.prior(), MODELS.dit(Conditioning.DLC), out, 3, false,
                false));
        assertEquals(7, r.images());
        List<Row> rows = spark.read().parquet(out.toString()).orderBy("index").collectAsList();
        try (NDManager m = NDManager.newBaseManager();
             Generator g = Generator.load(m, MODELS.prior(), "prior", MODELS.dit(Conditioning.DLC), "dit")) {
            Generated alone = g.generate(m, 7, PRIOR, 2, sampling, 11);
            var c = g.dit().model().config();
            ImageDataset images = ImageDataset.fromBatch("alone", alone.images(), c.channels(), c.image(), c.image());
            int l = alone.codes().length();
            int plane = c.image() * c.image();
            for (int i = 0; i < 7; i++) {
                Row row = rows.get(i);
                assertEquals(i, row.getLong(0));
                List<Integer> tokens = row.getList(1);
                for (int j = 0; j < l; j++) {
                    assertEquals(alone.codes().tokens()[i * l + j], tokens.get(j));
                }
                var png = ImageIO.read(new ByteArrayInputStream((byte[]) row.get(2)));
                byte[] pixels = new byte[plane];
                png.getRaster().getDataElements(0, 0, c.image(), c.image(), pixels);
                assertArrayEquals(java.util.Arrays.copyOfRange(images.pixels(), i * plane, (i + 1) * plane), pixels, "image " + i);
            }
        }
    }

    /**
     * Scoring labelled images given as Parquet (index, image, label): every metric, per-class FD from the merged per-class
     * statistics included, equals this JVM's evaluation of the same images.
     */
    @Test
    void evaluatingOnTheClusterScoresAsOneMachineDoes() throws Exception {
        ImageDataset test = FashionMnist.load(FashionMnist.DEFAULT_DIR, FashionMnist.Split.TEST, 60);
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < test.count(); i++) {
            rows.add(org.apache.spark.sql.RowFactory.create((long) i, Fixtures.png(Fixtures.grey(test, i)), test.labels()[i]));
        }
        var schema = new org.apache.spark.sql.types.StructType().add("index", "long").add("image", "binary").add("label", "int");
        Path parquet = dir.resolve("scored.parquet");
        spark.createDataFrame(rows, schema).repartition(3).write().parquet(parquet.toString());
        Path json = dir.resolve("eval.json");
        var r = EvalJob.run(spark, new EvalJob.Settings(parquet, FeatureNet.defaultPath(), false, "test", FashionMnist.DEFAULT_DIR, 300, 1, json, 3,
                false, false));
        Evaluator.Report d = r.report();
        assertTrue(Files.exists(json));
        try (NDManager m = NDManager.newBaseManager(); FeatureNet net = FeatureNet.load(m, FeatureNet.defaultPath(), false)) {
            Reference reference = Reference.open("test", FashionMnist.DEFAULT_DIR, 300, net, m);
            Evaluator.Report alone = Evaluator.evaluate("scored", net.embed(test, FeatureNet.EMBED_BATCH), reference.stats(), reference.features(),
                    Evaluator.Options.defaults(1), m);
            assertEquals(60, d.count());
            double[][] pairs = {{alone.fd(), d.fd()}, {alone.sfd(), d.sfd()}, {alone.kidMean(), d.kidMean()}, {alone.isMean(), d.isMean()},
                {alone.precision(), d.precision()}, {alone.recall(), d.recall()}, {alone.vendi(), d.vendi()}, {alone.accuracy(), d.accuracy()}};
            String[] names = {"FD", "sFD", "KID", "IS", "precision", "recall", "Vendi", "accuracy"};
            for (int k = 0; k < pairs.length; k++) {
                assertTrue(Double.isFinite(pairs[k][0]), names[k]);
                assertEquals(pairs[k][0], pairs[k][1], 1e-6 * Math.max(1e-12, Math.abs(pairs[k][0])), names[k]);
            }
            int measured = 0;
            for (int c = 0; c < alone.perClassFd().length; c++) {
                if (Double.isFinite(alone.perClassFd()[c])) {
                    measured++;
                    assertEquals(alone.perClassFd()[c], d.perClassFd()[c], 1e-6 * alone.perClassFd()[c], "class " + c);
                } else {
                    assertTrue(Double.isNaN(d.perClassFd()[c]), "class " + c);
                }
            }
            assertTrue(measured >= 5, measured + " classes measured");
        }
    }

    /** An executor killed mid-job: its tasks run again elsewhere, and the output has every image exactly once. */
    @Test
    @Order(9)
    void aJobThatLosesAnExecutorFinishesWithEveryRowOnce() throws Exception {
        var sampling = new DitSampling.Options(SamplerConfig.ddim(40, 0.0), 3.0, Integer.MAX_VALUE, 2);
        Path out = dir.resolve("fault");
        failures.clear();
        started = new CountDownLatch(1);
        Thread killer = new Thread(() -> {
            try {
                started.await(120, TimeUnit.SECONDS);
                Thread.sleep(1500); // the tasks are under way
                cluster.executors().get(0).destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        var r = GenerateJob.run(spark, new GenerateJob.Settings(16, 5, PRIOR, sampling, MODELS.prior(), MODELS.dit(Conditioning.DLC), out, 8, false,
                false));
        killer.join();
        assertFalse(failures.isEmpty(), "a task was lost with its executor");
        assertEquals(16, r.images());
        List<Long> indices = spark.read().parquet(out.toString()).select("index").as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
        assertEquals(16, new HashSet<>(indices).size(), "no duplicated row");
        assertEquals(Set.copyOf(java.util.stream.LongStream.range(0, 16).boxed().toList()), new HashSet<>(indices), "no missing row");
    }
}
