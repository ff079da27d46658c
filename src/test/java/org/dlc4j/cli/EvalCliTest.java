package org.dlc4j.cli;

import static org.dlc4j.cli.CliHarness.assertOneLineError;
import static org.dlc4j.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.eval.Images;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.JsonTest;
import org.dlc4j.io.Npz;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code dlc eval} accepts, and the one-line errors for what it does not. */
class EvalCliTest {
    @TempDir
    Path dir;

    static ImageDataset grey(int n, int size) {
        byte[] px = new byte[n * size * size];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 31 + 7);
        }
        return new ImageDataset("grey", n, 1, size, size, px, null, null, List.of());
    }

    @Test
    void emptyFolder() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        assertOneLineError(run("eval", dir.resolve("empty").toString()), "no .png files");
    }

    @Test
    void mixedSizes() throws Exception {
        PngFolderDataset.write(dir.resolve("a"), grey(2, 28));
        PngFolderDataset.write(dir.resolve("b"), grey(1, 32));
        Files.move(dir.resolve("b/00000.png"), dir.resolve("a/00009.png"));
        assertOneLineError(run("eval", dir.resolve("a").toString()), "same size");
    }

    @Test
    void colourImages() {
        byte[] px = new byte[2 * 3 * 784];
        px[5] = (byte) 200; // red only: a colour pixel
        PngFolderDataset.write(dir.resolve("rgb"), new ImageDataset("rgb", 2, 3, 28, 28, px, null, null, List.of()));
        assertOneLineError(run("eval", dir.resolve("rgb").toString()), "rgb has 3 channels (colour)", "reads 1 (greyscale)");
    }

    @Test
    void corruptPng() throws Exception {
        PngFolderDataset.write(dir.resolve("c"), grey(2, 28));
        Path png = dir.resolve("c/00001.png");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertOneLineError(run("eval", dir.resolve("c").toString()), "00001.png");
    }

    @Test
    void wrongSizeAndWrongNpz() throws Exception {
        PngFolderDataset.write(dir.resolve("s"), grey(2, 20));
        assertOneLineError(run("eval", dir.resolve("s").toString()), "20×20", "28×28");
        var arrays = new LinkedHashMap<String, HostTensor>();
        arrays.put("something", HostTensor.ofFloats(new long[] {2}, new float[2]));
        Npz.write(dir.resolve("x.npz"), arrays);
        assertOneLineError(run("eval", dir.resolve("x.npz").toString()), "'images'");
        assertOneLineError(run("eval", dir.resolve("missing.npz").toString()), "missing.npz");
        assertOneLineError(run("eval"), "INPUT");
    }

    @Test
    void unpinnedNetworkIsRefused() {
        PngFolderDataset.write(dir.resolve("ok"), grey(3, 28));
        Path net = dir.resolve("net.safetensors");
        try (NDManager m = NDManager.newBaseManager(); FeatureNet f = new FeatureNet(m, FeatureNet.Config.tiny(), new Rng(1))) {
            new Checkpoint(Checkpoint.Meta.current(FeatureNet.KIND, new com.google.gson.Gson().toJson(f.config()), 0, "", 0, java.util.Map.of()),
                    f.params().toHost("")).save(net);
        }
        assertOneLineError(run("eval", "--features", net.toString(), dir.resolve("ok").toString()), "--allow-unpinned");
    }

    @Test
    void jsonReportIsStrictJsonWithNullForUndefinedMetrics() throws Exception {
        // unlabelled images: accuracy is undefined (NaN inside), which the report must write as null, not NaN
        PngFolderDataset.write(dir.resolve("gen"), grey(12, 28));
        byte[] px = grey(12, 28).pixels().clone();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (px[i] ^ (i / 28 * 13));
        }
        PngFolderDataset.write(dir.resolve("ref"), new ImageDataset("ref", 12, 1, 28, 28, px, null, null, List.of()));
        Path net = dir.resolve("net.safetensors");
        try (NDManager m = NDManager.newBaseManager(); FeatureNet f = new FeatureNet(m, FeatureNet.Config.tiny(), new Rng(1))) {
            new Checkpoint(Checkpoint.Meta.current(FeatureNet.KIND, new com.google.gson.Gson().toJson(f.config()), 0, "", 0, java.util.Map.of()),
                    f.params().toHost("")).save(net);
        }
        Path report = dir.resolve("out/report.json");
        var r = run("eval", "--features", net.toString(), "--allow-unpinned", "--ref", dir.resolve("ref").toString(), "--ref-n", "12",
                "--json", report.toString(), dir.resolve("gen").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("report: " + report), r.out());
        String text = Files.readString(report);
        assertFalse(text.contains("NaN") || text.contains("Infinity"), text);
        JsonObject doc = JsonTest.parseStrictly(text).getAsJsonObject();
        JsonObject set = doc.getAsJsonArray("reports").get(0).getAsJsonObject();
        assertEquals(12, set.get("count").getAsInt());
        assertTrue(set.get("accuracy").isJsonNull(), text);
        assertTrue(Double.isFinite(set.get("vendi").getAsDouble()), text);
    }

    @Test
    void npzAndGeneratorFoldersReadBackTheImagesAndLabels() {
        ImageDataset ds = grey(4, 32);
        ds = new ImageDataset("g", 4, 1, 32, 32, ds.pixels(), new int[] {3, 1, 4, 1}, null, List.of());
        ImageNpz.write(dir.resolve("gen/" + Images.SAMPLES_NPZ), ds);
        ImageDataset back = Images.load(dir.resolve("gen"));
        assertArrayEquals(ds.pixels(), back.pixels());
        assertArrayEquals(ds.labels(), back.labels());
        assertEquals(28, Images.toFeatureInput(back, org.dlc4j.eval.FeatureNet.Config.fmnist()).height());
    }
}
