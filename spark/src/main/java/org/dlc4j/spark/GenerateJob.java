package org.dlc4j.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.io.Json;
import org.dlc4j.pipeline.Compatibility;
import org.dlc4j.pipeline.Generated;
import org.dlc4j.pipeline.Generator;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.util.InvalidInputException;

/**
 * N new images across a cluster: codes from the SEDD prior, then images from the DLC-conditioned DiT, as
 * {@code dlc generate}. The work is split by the run's blocks ({@link Generator#generate(ai.djl.ndarray.NDManager, long,
 * long, int, PriorSampler.Config, int, DitSampling.Options, long)}: block k of the sampling batch B is drawn with seeds
 * derived from (seed, k)), never by partition or executor, so the output is the one-machine run's, image for image.
 * Writes Parquet of (index, tokens, image: PNG bytes).
 */
public final class GenerateJob {
    public static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.LongType, false)
            .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("image", DataTypes.BinaryType, false);

    /**
     * @param n          images
     * @param prior      the prior's sampler; its batch is the DiT's ({@code sampling.batch()}, the block size)
     * @param partitions parts the blocks are split into (0: one per block, at most 1000)
     */
    public record Settings(long n, long seed, PriorSampler.Config prior, DitSampling.Options sampling, Path priorModel, Path dit, Path output,
                           int partitions, boolean overwrite, boolean shipModels) {
        public Settings {
            if (n < 1) {
                throw InvalidInputException.of("n", "n must be at least 1, not " + n);
            }
        }

        long blocks() {
            return (n + sampling.batch() - 1) / sampling.batch();
        }
    }

    public record Result(long images, double seconds) {
        public double imagesPerSecond() {
            return images / Math.max(seconds, 1e-9);
        }
    }

    private GenerateJob() {}

    public static Result run(SparkSession spark, Settings s) {
        Jobs.checkOutput(s.output(), s.overwrite());
        long start = System.nanoTime();
        Models.Ref prior = Models.Ref.of(spark, s.priorModel(), "prior", s.shipModels());
        Models.Ref dit = Models.Ref.of(spark, s.dit(), "dit", s.shipModels());
        // Refuse a prior and DiT that do not speak the same codes before any executor starts.
        try (var m = ai.djl.ndarray.NDManager.newBaseManager(); Generator g = Generator.load(m, s.priorModel(), "prior", s.dit(), "dit")) {
            g.dit().model().config();
        }
        long blocks = s.blocks();
        int parts = s.partitions() > 0 ? s.partitions() : (int) Math.min(blocks, 1000);
        List<Long> ks = LongStream.range(0, blocks).boxed().toList();
        // Tasks carry plain values: the samplers' settings travel as JSON.
        String priorJson = Json.GSON.toJson(s.prior());
        String samplingJson = Json.GSON.toJson(s.sampling());
        long n = s.n();
        long seed = s.seed();
        JavaRDD<Row> rows = new JavaSparkContext(spark.sparkContext()).parallelize(ks, parts)
                .mapPartitions(part -> generate(part, prior, dit, n, seed, Json.read(priorJson, PriorSampler.Config.class),
                        Json.read(samplingJson, DitSampling.Options.class)));
        Jobs.write(spark, s.output(), () -> spark.createDataFrame(rows, SCHEMA).write().mode(s.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                .parquet(s.output().toString()));
        return new Result(spark.read().parquet(s.output().toString()).count(), (System.nanoTime() - start) / 1e9);
    }

    private static Iterator<Row> generate(Iterator<Long> blocks, Models.Ref priorRef, Models.Ref ditRef, long n, long seed, PriorSampler.Config priorConfig,
                                          DitSampling.Options sampling) {
        TrainedPrior prior = Models.get(priorRef, TrainedPrior::load);
        TrainedDit dit = Models.get(ditRef, (m, p) -> Compatibility.dlcDit(m, p, prior.model().config().length(), prior.model().config().vocab(),
                prior.encoderSha(), "the prior", "dit"));
        Generator generator = new Generator(prior, dit);
        int b = sampling.batch();
        var c = dit.model().config();
        List<Row> out = new ArrayList<>();
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            while (blocks.hasNext()) {
                long k = blocks.next();
                long first = k * b;
                int count = (int) Math.min(b, n - first);
                Generated g = generator.generate(manager, n, first, count, priorConfig, b, sampling, seed);
                ImageDataset images = ImageDataset.fromBatch("generated", g.images(), c.channels(), c.image(), c.image());
                int l = g.codes().length();
                for (int i = 0; i < count; i++) {
                    Integer[] code = new Integer[l];
                    for (int j = 0; j < l; j++) {
                        code[j] = g.codes().tokens()[i * l + j];
                    }
                    out.add(RowFactory.create(first + i, code, Pngs.encode(images, i)));
                }
            }
        }
        return out.iterator();
    }
}
