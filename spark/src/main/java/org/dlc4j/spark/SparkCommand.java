package org.dlc4j.spark;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.dlc4j.cli.GuidedSamplerOptions;
import org.dlc4j.cli.Main;
import org.dlc4j.cli.PriorSamplerOptions;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.util.Home;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dlc spark}: the encode, generate and eval jobs on a Spark master, and a loopback cluster to try them on. */
@Command(name = "spark", mixinStandardHelpOptions = true, version = "dlc4j-spark 0.1.0",
        description = "Encode, generate and evaluate on Apache Spark: the same results as one machine, split across a cluster.",
        subcommands = {SparkCommand.Encode.class, SparkCommand.Generate.class, SparkCommand.Eval.class, SparkCommand.Cluster.class})
public final class SparkCommand implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line {@code dlc spark ARGS} and returns its exit code (tests call this). */
    public static int run(String... args) {
        return Main.execute(new SparkCommand(), "dlc spark", args);
    }

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    /** Where the job runs, and what it may overwrite. */
    static final class JobOptions {
        @Option(names = "--master", defaultValue = "local[2]", description = "Spark master: local[N] (this JVM), spark://HOST:PORT (a standalone"
                + " cluster, e.g. dlc spark cluster), yarn or k8s://… (default: ${DEFAULT-VALUE}).")
        String master;

        @Option(names = "--executor-memory", defaultValue = "1g", description = "Heap of each executor (default: ${DEFAULT-VALUE}).")
        String executorMemory;

        @Option(names = "--max-cores", defaultValue = "0", description = "Cores to take from a cluster, one per executor (default: all).")
        int maxCores;

        @Option(names = "--partitions", defaultValue = "0", description = "Parts the work is split into (default: Spark's choice).")
        int partitions;

        @Option(names = "--overwrite", description = "Replace an output that exists.")
        boolean overwrite;

        @Option(names = "--ship-models", description = "Copy the model files to every executor (else each reads them at the path given).")
        boolean ship;

        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--verbose", description = "Print stack traces of errors.")
        boolean verbose;

        SparkSession start(String app) {
            return new Session(master, executorMemory, maxCores).start("dlc spark " + app);
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true, description = "Pictures (a folder, or Parquet with id and image columns) →"
            + " Parquet of (id, tokens, label, encoder_sha), as dlc encode gives them.")
    static final class Encode implements Callable<Integer> {
        @Mixin
        JobOptions job;

        @Option(names = "--input", required = true, paramLabel = "PATH", description = "A folder of PNG/JPEG pictures (sub-folders are classes)"
                + " or Parquet with an image column (PNG/JPEG bytes), an id column and optionally a label column.")
        Path input;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Parquet output folder.")
        Path out;

        @Option(names = "--encoder", paramLabel = "FILE", description = "SEM encoder (default: the shipped one).")
        Path encoder;

        @Option(names = "--size", defaultValue = "28", description = "Side of the pictures; another size is an error unless --fit (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--fit", description = "Bring pictures of other sizes to --size: crop or pad (over white).")
        String fit;

        @Option(names = "--batch", defaultValue = "256", description = "Pictures per forward pass (default: ${DEFAULT-VALUE}).")
        int batch;

        @Override
        public Integer call() throws Exception {
            Path enc = encoder != null ? encoder : ModelStore.shipped().encoder();
            var settings = new EncodeJob.Settings(input, out, enc, size, fit == null ? null : ImageFolder.Fit.parse(fit), 0xFFFFFF, batch, job.partitions,
                    job.overwrite, job.ship);
            try (SparkSession spark = job.start("encode")) {
                var r = EncodeJob.run(spark, settings);
                System.out.printf(Locale.ROOT, "%d codes in %.1f s (%.1f pictures/s) on %s%s; wrote %s%n", r.encoded(), r.seconds(), r.picturesPerSecond(),
                        job.master, r.skipped().isEmpty() ? "" : ", " + r.skipped().size() + " pictures left out (first: " + r.skipped().get(0) + ")", out);
            }
            return 0;
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, description = "N new images (prior → DiT, as dlc generate with the same"
            + " seed and --batch, the unit of work) → Parquet of (index, tokens, image as PNG).")
    static final class Generate implements Callable<Integer> {
        @Mixin
        JobOptions job;

        @Option(names = "--n", required = true, description = "Images to draw.")
        long n;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Parquet output folder.")
        Path out;

        @Option(names = "--prior", paramLabel = "FILE", description = "SEDD prior (default: the shipped one).")
        Path prior;

        @Option(names = "--dit", paramLabel = "FILE", description = "DLC-conditioned DiT (default: the shipped one).")
        Path dit;

        @Mixin
        GuidedSamplerOptions sampling;

        @Mixin
        PriorSamplerOptions priorSampling;

        @Override
        public Integer call() throws Exception {
            ModelStore store = ModelStore.shipped();
            // dlc generate's flags and defaults: the same seed and batch give the same images.
            var settings = new GenerateJob.Settings(n, job.seed, priorSampling.config(), sampling.options(), prior != null ? prior : store.prior(),
                    dit != null ? dit : store.dit(org.dlc4j.dit.Conditioning.DLC), out, job.partitions, job.overwrite, job.ship);
            try (SparkSession spark = job.start("generate")) {
                var r = GenerateJob.run(spark, settings);
                System.out.printf(Locale.ROOT, "%d images in %.1f s (%.2f images/s) on %s; wrote %s%n", r.images(), r.seconds(), r.imagesPerSecond(),
                        job.master, out);
            }
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Score images (Parquet with an image column, e.g. the generate"
            + " job's output, or a folder of pictures) as dlc eval does: FD, sFD, KID, IS, precision/recall, Vendi, accuracy.")
    static final class Eval implements Callable<Integer> {
        @Mixin
        JobOptions job;

        @Option(names = "--input", required = true, paramLabel = "PATH", description = "Parquet with image (PNG) and index or id columns, or a folder.")
        Path input;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "JSON report (as dlc eval --json writes).")
        Path out;

        @Option(names = "--features", paramLabel = "FILE", description = "Feature network (default: the pinned one).")
        Path features;

        @Option(names = "--allow-unpinned", description = "Accept a feature network other than the pinned one.")
        boolean allowUnpinned;

        @Option(names = "--ref", defaultValue = "test", description = "Reference: test or train (Fashion-MNIST) or a folder/.npz (default: ${DEFAULT-VALUE}).")
        String ref;

        @Option(names = "--ref-n", defaultValue = "10000", description = "Reference images KID and precision/recall use (default: ${DEFAULT-VALUE}).")
        int refN;

        @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder (default: /usr/share/datasets/fashion-mnist).")
        Path data;

        @Override
        public Integer call() throws Exception {
            var settings = new EvalJob.Settings(input, features != null ? features : FeatureNet.defaultPath(), allowUnpinned, ref,
                    data != null ? data : FashionMnist.DEFAULT_DIR, refN, job.seed, out, job.partitions, job.overwrite, job.ship);
            try (SparkSession spark = job.start("eval")) {
                var r = EvalJob.run(spark, settings);
                System.out.print(org.dlc4j.eval.Evaluator.table(java.util.List.of(r.report())));
                System.out.printf(Locale.ROOT, "%d images in %.1f s (%.1f images/s) on %s; wrote %s%n", r.report().count(), r.seconds(), r.imagesPerSecond(),
                        job.master, out);
            }
            return 0;
        }
    }

    @Command(name = "cluster", mixinStandardHelpOptions = true, description = "Start a standalone cluster on this machine (a Master and"
            + " Workers on loopback, each in its own JVM), print its URL for --master, and stop it when this command ends (Ctrl-C).")
    static final class Cluster implements Callable<Integer> {
        @Option(names = "--workers", defaultValue = "2", description = "Workers, one core each (default: ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--worker-memory", defaultValue = "2g", description = "Memory each Worker offers (default: ${DEFAULT-VALUE}).")
        String memory;

        @Option(names = "--spark-home", paramLabel = "DIR", description = "Folder whose jars/ hold Spark and dlc4j (default: spark/target/spark-home).")
        Path sparkHome;

        @Option(names = "--dir", defaultValue = "out/spark-cluster", description = "Logs and work folders (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Override
        public Integer call() throws InterruptedException {
            Path home = sparkHome != null ? sparkHome : Home.dir().resolve("spark/target/spark-home");
            LocalCluster cluster = new LocalCluster(home, dir, workers, memory, Session.executorEnv());
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
            System.out.println(cluster.url());
            System.out.println("(" + workers + " workers; logs in " + dir + "; Ctrl-C stops the cluster)");
            Thread.currentThread().join();
            return 0;
        }
    }
}
