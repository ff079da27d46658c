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
        var r = CliErrorsTest.run("chain", "--quick", "--folder", pics.toString(), "--size", "16", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("held-out prompt image accuracy"), r.out());
        var json = JsonTest.parseStrictly(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(6, json.getAsJsonArray("targets").size());
        try (NDManager m = NDManager.newBaseManager(); TrainedEncoder enc = TrainedEncoder.load(m, out.resolve("sem/encoder.safetensors"));
             TrainedDit dit = TrainedDit.load(m, out.resolve("dit/dlc.safetensors"));
             FeatureNet net = FeatureNet.load(m, out.resolve("eval/features.safetensors"), true)) {
            assertEquals(3, enc.config().channels());
            assertEquals(16, enc.config().image());
            assertEquals(3, dit.model().config().channels());
            assertEquals(16, dit.model().config().image());
            assertEquals(3, net.config().classes());
        }
        // The same folder at another size is another chain: refused, with the fix.
        CliErrorsTest.assertOneLineError(CliErrorsTest.run("chain", "--quick", "--folder", pics.toString(), "--size", "32", "--out", out.toString()),
                "other settings");
    }
}
