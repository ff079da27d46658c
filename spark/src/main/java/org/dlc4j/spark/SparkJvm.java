package org.dlc4j.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a JVM running Spark 4 on Java 17 needs: the module opens Spark's own launcher (bin/spark-class) adds. They live
 * in one file, {@code jvm-opens} beside this class, which the {@code dlc} script and the tests' JVM read as a Java
 * argument file ({@code java @jvm-opens}) and the local cluster's daemons get from here.
 */
public final class SparkJvm {
    private SparkJvm() {}

    /** The JVM options of Spark's {@code JavaModuleOptions}, for the daemons and a driver not started by spark-submit. */
    public static final List<String> OPENS = read();

    private static List<String> read() {
        try (InputStream in = SparkJvm.class.getResourceAsStream("jvm-opens")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
