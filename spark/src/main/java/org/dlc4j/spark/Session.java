package org.dlc4j.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.dlc4j.util.Home;
import org.dlc4j.util.InvalidInputException;

/**
 * How the jobs connect to Spark: a master URL ({@code local[N]}, {@code spark://host:port}) and the settings every job
 * needs. One core per executor, with libtorch on one thread, so that an executor computes exactly what a one-thread
 * process computes; the executors read DJL's native library offline from the driver's cache folder (a path every node
 * must have, as on one machine).
 *
 * @param master         Spark master URL
 * @param executorMemory heap of each executor, e.g. "1g" (libtorch's native memory comes on top)
 * @param maxCores       cores the application may take from a cluster (0: all it offers)
 */
public record Session(String master, String executorMemory, int maxCores) {
    public Session {
        if (master == null || !(master.startsWith("local") || master.startsWith("spark://") || master.startsWith("yarn") || master.startsWith("k8s://"))) {
            throw InvalidInputException.of("master", "master '" + master + "' is not a Spark master URL: local[2], spark://HOST:PORT, yarn or k8s://…");
        }
    }

    /** Connects (the caller stops the session). */
    public SparkSession start(String app) {
        SparkSession.Builder b = SparkSession.builder().appName(app).master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.executor.cores", "1")
                .config("spark.task.cpus", "1")
                .config("spark.executor.memory", executorMemory)
                .config("spark.sql.shuffle.partitions", "8")
                .config("spark.executor.extraJavaOptions", String.format(Locale.ROOT, "-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1"
                        + " -Dai.djl.pytorch.num_interop_threads=1 -Ddlc4j.home=%s -Djava.awt.headless=true", Home.dir().toAbsolutePath()));
        if (maxCores > 0) {
            b.config("spark.cores.max", Integer.toString(maxCores));
        }
        if (master.startsWith("local") || master.contains("127.0.0.1") || master.contains("localhost")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        executorEnv().forEach((k, v) -> b.config("spark.executorEnv." + k, v));
        // The jobs' own classes: this module's jar, or its classes folder when run from a build (the tests).
        Path code = codeSource();
        if (Files.isDirectory(code)) {
            b.config("spark.executor.extraClassPath", code.toAbsolutePath().toString());
        } else {
            b.config("spark.jars", code.toAbsolutePath().toString());
        }
        return b.getOrCreate();
    }

    /**
     * The environment executors need from this process: where DJL's native library is cached, and libtorch's fixed
     * thread and instruction-set settings (given to a session's executors, and to a local cluster's Workers, whose
     * executors inherit it).
     */
    public static java.util.Map<String, String> executorEnv() {
        java.util.Map<String, String> env = new java.util.TreeMap<>();
        for (String v : new String[] {"DJL_CACHE_DIR", "MKL_DYNAMIC", "OMP_DYNAMIC", "DNNL_MAX_CPU_ISA"}) {
            if (System.getenv(v) != null) {
                env.put(v, System.getenv(v));
            }
        }
        return env;
    }

    private static Path codeSource() {
        try {
            return Path.of(Session.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
