package org.dlc4j.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.data.ImageDataset;

/** Small real data and a loopback cluster for the jobs' tests. */
final class Fixtures {
    private Fixtures() {}

    /** The module's Spark home (its build copies every runtime jar into it). */
    static final Path SPARK_HOME = Path.of(System.getProperty("dlc4j.spark.home", "target/spark-home"));

    /** A standalone cluster of {@code workers} one-core Workers, executors reading DJL's library from the project's cache. */
    static LocalCluster cluster(Path dir, int workers) {
        return new LocalCluster(SPARK_HOME, dir, workers, "2g", Session.executorEnv());
    }

    /** The first {@code n} Fashion-MNIST test images as 28 px grey PNGs, one sub-folder per class. */
    static Path pictures(Path dir, int n) throws Exception {
        ImageDataset test = FashionMnist.load(FashionMnist.DEFAULT_DIR, FashionMnist.Split.TEST, n);
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve(FashionMnist.CLASS_NAMES.get(test.labels()[i]).replace(' ', '_').replace('/', '_')).resolve(String.format("%03d.png", i));
            Files.createDirectories(f.getParent());
            ImageIO.write(grey(test, i), "png", f.toFile());
        }
        return dir;
    }

    static BufferedImage grey(ImageDataset set, int i) {
        BufferedImage image = new BufferedImage(set.width(), set.height(), BufferedImage.TYPE_BYTE_GRAY);
        int plane = set.width() * set.height();
        for (int p = 0; p < plane; p++) {
            image.getRaster().setSample(p % set.width(), p / set.width(), 0, set.pixels()[i * plane + p] & 0xFF);
        }
        return image;
    }

    /** What {@code dlc spark ARGS} printed and returned. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = SparkCommand.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
