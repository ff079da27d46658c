package org.dlc4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dlc4j.pipeline.ModelStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dlc spark} against a loopback cluster: a job that works, and every bad input the jobs meet (a missing input,
 * an output that exists, pictures of the wrong size, a model the executors cannot see, a bad master URL) answered with
 * one line that names the problem and the fix, and a non-zero exit.
 */
class SparkCliTest {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = Fixtures.cluster(dir.resolve("cluster"), 2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static void assertOneLineError(Fixtures.Run r, String... fragments) {
        assertNotEquals(0, r.code(), "exit code; out: " + r.out());
        String dlcLines = String.join("\n", r.err().lines().filter(l -> l.startsWith("dlc:")).toList());
        assertEquals(1, dlcLines.lines().count(), "one error line: " + r.err());
        assertFalse(dlcLines.contains("\tat "), dlcLines);
        for (String f : fragments) {
            assertTrue(dlcLines.contains(f), "'" + f + "' in: " + dlcLines);
        }
    }

    @Test
    void encodeRunsOnTheClusterAndRefusesBadInputInOneLine() throws Exception {
        Path pictures = Fixtures.pictures(dir.resolve("pictures"), 12);
        Path out = dir.resolve("codes");
        var ok = Fixtures.run("encode", "--master", cluster.url(), "--input", pictures.toString(), "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("12 codes in"), ok.out());

        assertOneLineError(Fixtures.run("encode", "--master", cluster.url(), "--input", pictures.toString(), "--out", out.toString()),
                "exists", "--overwrite");
        assertOneLineError(Fixtures.run("encode", "--master", cluster.url(), "--input", dir.resolve("nowhere").toString(), "--out",
                dir.resolve("x").toString()), "not found");
        assertOneLineError(Fixtures.run("encode", "--master", "nonsense", "--input", pictures.toString(), "--out", dir.resolve("y").toString()),
                "not a Spark master URL");

        // Pictures of another size than the encoder is told: refused, with the two fixes.
        Path big = Files.createDirectories(dir.resolve("big"));
        ImageIO.write(new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY), "png", big.resolve("a.png").toFile());
        assertOneLineError(Fixtures.run("encode", "--master", cluster.url(), "--input", big.toString(), "--out", dir.resolve("z").toString()),
                "40×40, not 28×28", "--fit");

        // A relative model path: there on the driver, not in the executors' working folders.
        Path relative = Path.of("").toAbsolutePath().relativize(ModelStore.shipped().encoder().toAbsolutePath());
        assertTrue(Files.exists(relative), relative.toString());
        assertOneLineError(Fixtures.run("encode", "--master", cluster.url(), "--input", pictures.toString(), "--out", dir.resolve("w").toString(),
                "--encoder", relative.toString()), "is not on executor", "--ship-models");
        assertFalse(Files.exists(dir.resolve("w")), "a failed job leaves no output behind");
        // Shipped, the same file reaches them.
        var shipped = Fixtures.run("encode", "--master", cluster.url(), "--input", pictures.toString(), "--out", dir.resolve("v").toString(),
                "--encoder", relative.toString(), "--ship-models");
        assertEquals(0, shipped.code(), shipped.err());
    }

    /** dlc spark generate (here in this JVM, local[1]) and dlc generate with the same flags draw the same codes and images. */
    @Test
    void sparkGenerateIsDlcGenerate() throws Exception {
        String[] flags = {"--n", "5", "--batch", "2", "--steps", "3", "--prior-steps", "4", "--scale", "2", "--seed", "9"};
        Path spark = dir.resolve("spark-gen");
        Path alone = dir.resolve("alone-gen");
        var a = Fixtures.run(concat(new String[] {"generate", "--master", "local[1]", "--out", spark.toString()}, flags));
        assertEquals(0, a.code(), a.err());
        assertEquals(0, org.dlc4j.cli.Main.run(concat(new String[] {"generate", "--out", alone.toString()}, flags)));
        var codes = org.dlc4j.data.DlcFile.read(alone.resolve("codes.safetensors"));
        var images = org.dlc4j.data.ImageNpz.read(alone.resolve(org.dlc4j.eval.Images.SAMPLES_NPZ));
        try (var session = new Session("local[1]", "1g", 0).start("read")) {
            var rows = session.read().parquet(spark.toString()).orderBy("index").collectAsList();
            assertEquals(5, rows.size());
            int plane = images.height() * images.width();
            for (int i = 0; i < 5; i++) {
                java.util.List<Integer> tokens = rows.get(i).getList(1);
                for (int j = 0; j < codes.length(); j++) {
                    assertEquals(codes.tokens()[i * codes.length() + j], tokens.get(j));
                }
                var png = ImageIO.read(new java.io.ByteArrayInputStream((byte[]) rows.get(i).get(2)));
                byte[] pixels = new byte[plane];
                png.getRaster().getDataElements(0, 0, images.width(), images.height(), pixels);
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOfRange(images.pixels(), i * plane, (i + 1) * plane), pixels);
            }
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
