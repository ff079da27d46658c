package org.dlc4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.eval.FeatureNet;
import org.dlc4j.io.JsonTest;
import org.dlc4j.sem.TrainedEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dlc chain --quick --folder DIR}: the whole chain on a folder of colour pictures with classes, captions,
 * transparency and one damaged file, at 16 px: every model is sized to the pictures and the report is written.
 */
class ChainFolderCliTest {
    static final Color[] COLOURS = {new Color(220, 30, 30), new Color(30, 160, 40), new Color(40, 60, 220)};
    static final String[] NAMES = {"red", "green", "blue"};

    /** Three classes of 30 shapes, a caption each, transparent backgrounds, and one file that is not a picture. */
    static Path shapes(Path dir) throws Exception {
        Path pics = dir.resolve("shapes");
        List<String> captions = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            Files.createDirectories(pics.resolve(NAMES[k]));
            for (int i = 0; i < 30; i++) {
                BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_ARGB);
                Graphics2D g = image.createGraphics();
                g.setColor(COLOURS[k]);
                int s = 8 + i % 10;
                if (i % 2 == 0) {
                    g.fillOval(2 + i % 5, 2 + i % 4, s, s);
                } else {
                    g.fillRect(2 + i % 5, 2 + i % 4, s, s);
                }
                g.dispose();
                String rel = NAMES[k] + "/" + i + ".png";
                ImageIO.write(image, "png", pics.resolve(rel).toFile());
                captions.add(rel + "\t" + (s > 12 ? "a big " : "a small ") + NAMES[k] + (i % 2 == 0 ? " circle" : " square"));
            }
        }
        Files.writeString(pics.resolve("red/broken.png"), "not a picture");
        Files.write(pics.resolve("captions.tsv"), captions);
        return pics;
    }

    @Test
    void theQuickChainRunsOnColourPicturesAtTheirSize(@TempDir Path dir) throws Exception {
        Path pics = shapes(dir);
        Path out = dir.resolve("chain");
        var r = CliHarness.run("chain", "--quick", "--folder", pics.toString(), "--size", "16", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prior→DiT FD ÷ unconditional FD"), r.out());
        assertTrue(Files.readString(out.resolve("report.md")).contains("| text |"), "held-out captions were followed");
        var json = JsonTest.parseStrictly(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(3, json.getAsJsonArray("targets").size(), "the folder's targets are ratios: absolute bounds hold for the pinned evaluator only");
        try (NDManager m = NDManager.newBaseManager(); TrainedEncoder enc = TrainedEncoder.load(m, out.resolve("sem/encoder.safetensors"));
             TrainedDit dit = TrainedDit.load(m, out.resolve("dit/dlc.safetensors"));
             FeatureNet net = FeatureNet.load(m, out.resolve("eval/features.safetensors"), true)) {
            assertEquals(3, enc.config().channels());
            assertEquals(16, enc.config().image());
            assertEquals(3, dit.model().config().channels());
            assertEquals(16, dit.model().config().image());
            assertEquals(3, net.config().classes());
        }
        // The folder is a model set: the facade encodes a colour picture of any size at the chain's, decodes, composes,
        // follows a prompt and offers the held-out gallery; the web server reports the pictures' size.
        try (org.dlc4j.Dlc dlc = org.dlc4j.Dlc.open(out)) {
            var fast = org.dlc4j.Sampling.defaults().withSeed(1).withSteps(3).withPriorSteps(4).withTextSteps(4);
            BufferedImage big = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = big.createGraphics();
            g.setColor(COLOURS[2]);
            g.fillRect(0, 0, 40, 30);
            g.dispose();
            assertEquals(16, dlc.imageSize());
            BufferedImage seen = dlc.viewOf(big);
            assertEquals(16, seen.getWidth());
            assertEquals(COLOURS[2].getRGB() & 0xFFFFFF, seen.getRGB(8, 8) & 0xFFFFFF, "the colour survives the view");
            var code = dlc.encode(big);
            assertEquals(4, code.length());
            var images = dlc.decode(code, 2, fast);
            assertEquals(16, images.get(0).image().getWidth());
            assertEquals(2, dlc.compose(List.of(code, dlc.encode(seen)), null, 2, fast).size());
            assertEquals(1, dlc.fromPrompt("a big green circle", 1, fast).size());
            var gallery = dlc.gallery();
            assertEquals(List.of("blue", "green", "red"), gallery.classNames());
            assertEquals(9, gallery.images().size(), "the 9 held-out pictures, 6 at most per class");
        }
        var options = org.dlc4j.server.DlcServer.Options.defaults(out);
        try (var server = org.dlc4j.server.DlcServer.start(new org.dlc4j.server.DlcServer.Options("127.0.0.1", 0, out, 1, 2, 4, 50,
                options.maxBodyBytes(), 60))) {
            var http = java.net.http.HttpClient.newHttpClient();
            var info = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/api/info")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            var o = JsonTest.parseStrictly(info.body()).getAsJsonObject();
            assertEquals(16, o.get("imageSize").getAsInt());
            assertEquals(3, o.get("imageChannels").getAsInt());
            assertEquals(3, o.getAsJsonArray("classes").size());
        }
        // The chain's own demo page of its models, and dlc demo --models on its folder, through the facade.
        String own = Files.readString(out.resolve("demo/index.html"));
        assertTrue(own.contains("composed-") && own.contains("prompted-") && own.contains("generated-"), own);
        var demo = CliHarness.run("demo", "--models", out.toString(), "--steps", "4", "--out", dir.resolve("demo").toString());
        assertEquals(0, demo.code(), demo.err());
        String page = Files.readString(dir.resolve("demo/index.html"));
        assertTrue(page.contains("composed-") && page.contains("prompted-") && page.contains("generated-") && page.contains("decoded-"), page);
        // The composition study on the held-out pictures, against a SEM-conditioned DiT trained on the training pictures.
        var sem = CliHarness.run("dit", "train", "--cond", "sem", "--folder", pics.toString(), "--size", "16", "--preset", "tiny", "--patch", "4",
                "--epochs", "1", "--encoder", out.resolve("sem/encoder.safetensors").toString(), "--out", out.resolve("dit/sem.safetensors").toString(),
                "--checkpoint", dir.resolve("sem-train.safetensors").toString());
        assertEquals(0, sem.code(), sem.err());
        var table = CliHarness.run("compose", "table", "--models", out.toString(), "--folder", pics.toString(), "--size", "16", "--pairs", "2",
                "--n", "2", "--steps", "2", "--features", out.resolve("eval/features.safetensors").toString(), "--allow-unpinned", "--out",
                dir.resolve("table").toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("code − embedding, per pair"), table.out());
        BufferedImage grid = ImageIO.read(dir.resolve("table/code.png").toFile());
        assertTrue(grid.getColorModel().getNumColorComponents() == 3, "the compositions' grid is in colour");
        // The same folder at another size is another chain: refused, with the fix.
        CliHarness.assertOneLineError(CliHarness.run("chain", "--quick", "--folder", pics.toString(), "--size", "32", "--out", out.toString()),
                "other settings");
    }

    /**
     * Pictures with neither classes nor captions: the evaluator's network is trained self-supervised (no IS, no accuracy)
     * and the text stage is left out, with a line saying so; everything else runs and the report is written.
     */
    @Test
    void picturesWithoutClassesOrCaptionsGetASelfSupervisedEvaluatorAndNoTextModel(@TempDir Path dir) throws Exception {
        Path pics = shapes(dir);
        Path flat = Files.createDirectories(dir.resolve("flat"));
        for (String name : NAMES) {
            try (var files = Files.list(pics.resolve(name))) {
                for (Path f : files.toList()) {
                    Files.move(f, flat.resolve(name + "-" + f.getFileName()));
                }
            }
        }
        Path out = dir.resolve("chain");
        var r = CliHarness.run("chain", "--quick", "--folder", flat.toString(), "--size", "16", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("text: left out") && r.err().contains("trained self-supervised"), r.err());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(!report.contains("| text |") && report.contains("| enc-dec |"), report);
        assertTrue(!Files.exists(out.resolve("text/t2d.safetensors")));
        String demo = Files.readString(out.resolve("demo/index.html"));
        assertTrue(demo.contains("composed-") && !demo.contains("prompted-"), "a demo without prompts: " + demo);
        try (org.dlc4j.Dlc dlc = org.dlc4j.Dlc.open(out)) {
            assertEquals(List.of(org.dlc4j.Dlc.UNCLASSED), dlc.gallery().classNames(), "a gallery without classes has one");
        }
        try (NDManager m = NDManager.newBaseManager(); FeatureNet net = FeatureNet.load(m, out.resolve("eval/features.safetensors"), true)) {
            assertTrue(net.config().isSelfSupervised());
            assertEquals(0, net.config().classes());
        }
        var json = JsonTest.parseStrictly(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        var encDec = json.getAsJsonObject("scores").getAsJsonObject("enc-dec");
        assertTrue(encDec.get("isMean").isJsonNull() && encDec.get("accuracy").isJsonNull(), encDec.toString());
    }
}
