package org.dlc4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkException;
import org.dlc4j.util.DlcException;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.ModelMismatchException;

/** What the three jobs share on the driver: refusing an existing output, and a task's error told as the library's. */
final class Jobs {
    private Jobs() {}

    /** Whether {@code input} is Parquet: a {@code .parquet} file, or a folder holding such files (else a folder of pictures). */
    static boolean isParquet(Path input) {
        if (input.toString().endsWith(".parquet")) {
            return true;
        }
        if (!Files.isDirectory(input)) {
            return false;
        }
        try (var files = Files.list(input)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Every PNG and JPEG file under {@code folder}, as Spark's binaryFile source reads them: (path, …, content). */
    static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> pictureFiles(org.apache.spark.sql.SparkSession spark, Path folder) {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true").option("pathGlobFilter", "*.{png,PNG,jpg,JPG,jpeg,JPEG}")
                .load(folder.toString());
    }

    /** An output that exists is refused unless it may be replaced. */
    static void checkOutput(Path out, boolean overwrite) {
        if (Files.exists(out) && !overwrite) {
            throw InvalidInputException.of("overwrite", out + " exists: choose another output, or replace it with --overwrite");
        }
    }

    /**
     * Runs a job that writes {@code out}; if it fails, what it left there is removed (a failed run does not leave an
     * output that the next run would refuse as existing).
     */
    static void write(org.apache.spark.sql.SparkSession spark, Path out, Runnable job) {
        run(() -> {
            try {
                job.run();
            } catch (Exception e) { // Spark's SparkException is checked, and thrown from Scala undeclared
                try {
                    var path = new org.apache.hadoop.fs.Path(out.toAbsolutePath().toUri());
                    path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, true);
                } catch (java.io.IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            return null;
        });
    }

    /** A task's error (a bad picture, a model missing on an executor) as the library's exception with its one-line message. */
    private static final Pattern CAUSE = Pattern.compile("org\\.dlc4j\\.util\\.(InvalidInputException|ModelMismatchException): ([^\\n]*)");

    /** Runs {@code job}; a Spark failure whose cause is the library's reaches the caller as that cause. */
    static <T> T run(Supplier<T> job) {
        try {
            return job.get();
        } catch (Exception e) { // Spark's SparkException is checked, and thrown from Scala undeclared
            throw translate(e);
        }
    }

    static RuntimeException translate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DlcException d) {
                return d;
            }
            if (t instanceof SparkException || t.getClass().getName().startsWith("org.apache.spark")) {
                Matcher m = CAUSE.matcher(String.valueOf(t.getMessage()));
                if (m.find()) {
                    return m.group(1).equals("InvalidInputException") ? new InvalidInputException(m.group(2).strip(), e)
                            : new ModelMismatchException(m.group(2).strip());
                }
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
}
