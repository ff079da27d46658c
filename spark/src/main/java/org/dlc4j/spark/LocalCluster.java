package org.dlc4j.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dlc4j.util.InvalidInputException;

/**
 * A real Spark standalone cluster on loopback: a Master and {@code workers} Workers, each in its own JVM, whose
 * executors are JVMs of their own too (the Workers launch them, as on any cluster). What the tests run the jobs on, and
 * what {@code dlc spark cluster} starts for trying the jobs on one machine. Needs a Spark home: a folder whose
 * {@code jars/} holds Spark's jars and the jobs' (the module's build writes {@code target/spark-home}).
 */
public final class LocalCluster implements AutoCloseable {
    /** How long a daemon may take to come up. */
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final Path dir;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final String url;

    /**
     * Starts the Master, then the Workers, and returns once every Worker has registered.
     *
     * @param sparkHome     a folder whose {@code jars/} holds every jar the daemons and executors need
     * @param dir           where logs, configuration and work folders go (created)
     * @param workers       Workers to start, one core each
     * @param workerMemory  memory each Worker offers its executors, e.g. "1g"
     * @param executorEnv   environment the executors inherit from their Worker (e.g. DJL_CACHE_DIR)
     */
    public LocalCluster(Path sparkHome, Path dir, int workers, String workerMemory, Map<String, String> executorEnv) {
        if (!Files.isDirectory(sparkHome.resolve("jars"))) {
            throw InvalidInputException.of("spark-home", sparkHome + " holds no jars/ folder: build the module (mvn -f spark/pom.xml package)");
        }
        if (workers < 1) {
            throw InvalidInputException.of("workers", "a cluster needs at least one worker, not " + workers);
        }
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("conf"));
            Files.writeString(dir.resolve("conf/log4j2.properties"), LOG_CONFIG, StandardCharsets.UTF_8);
            int port = freePort();
            url = "spark://127.0.0.1:" + port;
            master = start(sparkHome, executorEnv, "master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    Integer.toString(port), "--webui-port", Integer.toString(freePort())));
            awaitLine(master, dir.resolve("master.log"), "I have been elected leader");
            for (int i = 0; i < workers; i++) {
                Path work = Files.createDirectories(dir.resolve("work" + i));
                this.workers.add(start(sparkHome, executorEnv, "worker" + i, List.of("org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1",
                        "--cores", "1", "--memory", workerMemory, "--webui-port", Integer.toString(freePort()), "--work-dir", work.toString())));
            }
            for (int i = 0; i < workers; i++) {
                awaitLine(this.workers.get(i), dir.resolve("worker" + i + ".log"), "Successfully registered with master");
            }
        } catch (IOException e) {
            close();
            throw new IllegalStateException("cannot start the cluster in " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The Master's URL, {@code spark://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    /** The executors the Workers are running now, as the operating system sees them. */
    public List<ProcessHandle> executors() {
        return workers.stream().flatMap(w -> w.toHandle().descendants()).filter(p -> p.info().commandLine().orElse("")
                .contains("CoarseGrainedExecutorBackend")).toList();
    }

    private Process start(Path sparkHome, Map<String, String> executorEnv, String name, List<String> mainAndArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1"));
        command.addAll(SparkJvm.OPENS);
        command.addAll(List.of("-cp", dir.resolve("conf") + ":" + sparkHome.resolve("jars") + "/*"));
        command.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.putAll(executorEnv);
        env.put("SPARK_HOME", sparkHome.toAbsolutePath().toString()); // Workers build the executors' class path from it
        env.put("SPARK_SCALA_VERSION", "2.13");                        // else the launcher looks for a source build
        env.put("SPARK_CONF_DIR", dir.resolve("conf").toAbsolutePath().toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.remove("SPARK_TESTING");
        return pb.start();
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static void awaitLine(Process p, Path log, String line) throws IOException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("a Spark daemon exited before it was ready (exit " + p.exitValue() + "); see " + log);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + log, e);
            }
        }
        throw new IllegalStateException("a Spark daemon was not ready after " + STARTUP.toSeconds() + " s; see " + log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the Workers (which stop their executors), then the Master, waiting for every process to end. */
    @Override
    public void close() {
        for (Process w : workers) {
            stop(w);
        }
        if (master != null) {
            stop(master);
        }
    }

    private static void stop(Process p) {
        List<ProcessHandle> children = p.toHandle().descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle c : children) {
            c.destroyForcibly();
        }
    }

    /** Warnings only, but the lines that say the daemons are up. */
    private static final String LOG_CONFIG = """
            rootLogger.level = warn
            rootLogger.appenderRef.stdout.ref = console
            appender.console.type = Console
            appender.console.name = console
            appender.console.target = SYSTEM_ERR
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex
            logger.master.name = org.apache.spark.deploy.master.Master
            logger.master.level = info
            logger.worker.name = org.apache.spark.deploy.worker.Worker
            logger.worker.level = info
            """;
}
