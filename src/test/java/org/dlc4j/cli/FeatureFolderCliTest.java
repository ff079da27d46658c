package org.dlc4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dlc4j.eval.FeatureNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dlc eval train-features --folder}: a feature network for one's own colour pictures, at their size. */
class FeatureFolderCliTest {
    @Test
    void trainsOnAColourFolder(@TempDir Path dir) throws Exception {
        Path pics = dir.resolve("pics");
        Color[] colours = {Color.RED, Color.BLUE};
        for (int k = 0; k < 2; k++) {
            Files.createDirectories(pics.resolve("class" + k));
            for (int i = 0; i < 60; i++) {
                BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_ARGB);
                Graphics2D g = image.createGraphics();
                g.setColor(colours[k]);
                g.fillOval(4 + i % 8, 4 + i / 8 % 8, 24, 24);
                g.dispose();
                ImageIO.write(image, "png", pics.resolve("class" + k + "/" + i + ".png").toFile());
            }
        }
        Path net = dir.resolve("features.safetensors");
        var r = CliHarness.run("eval", "train-features", "--folder", pics.toString(), "--size", "16", "--epochs", "2", "--width", "8", "--batch", "16",
                "--checkpoint", dir.resolve("ckpt.safetensors").toString(), "--out", net.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("108 training and 12 test pictures in 2 classes"), r.out());
        try (var m = ai.djl.ndarray.NDManager.newBaseManager(); FeatureNet f = FeatureNet.load(m, net, true)) {
            assertEquals(3, f.config().channels());
            assertEquals(16, f.config().image());
            assertEquals(2, f.config().classes());
        }
        // The sanity table of that network on the folder's held-out pictures, against its training pictures.
        Path table = dir.resolve("sanity.md");
        var s = CliHarness.run("eval", "sanity", "--folder", pics.toString(), "--size", "16", "--features", net.toString(), "--allow-unpinned",
                "--n", "200", "--out", table.toString());
        assertEquals(0, s.code(), s.err());
        String md = Files.readString(table);
        assertTrue(md.contains("the 108 training pictures of " + pics), md);
        assertTrue(md.contains("test without class 1 (class1)") && md.contains("test, class 0 only (class0)") && md.contains("test blurred σ=2.0"), md);
        // Pictures without classes train the self-supervised network; Fashion-MNIST keeps the pinned classifier.
        Path ssl = dir.resolve("ssl.safetensors");
        var u = CliHarness.run("eval", "train-features", "--folder", pics.resolve("class0").toString(), "--size", "16", "--epochs", "1", "--width", "8",
                "--batch", "16", "--checkpoint", dir.resolve("ssl-ckpt.safetensors").toString(), "--out", ssl.toString());
        assertEquals(0, u.code(), u.err());
        assertTrue(u.out().contains("for a self-supervised network") && u.out().contains("no test accuracy"), u.out());
        try (var m = ai.djl.ndarray.NDManager.newBaseManager(); FeatureNet f = FeatureNet.load(m, ssl, true)) {
            assertTrue(f.config().isSelfSupervised());
            assertEquals(8, f.config().width());
        }
        CliHarness.assertOneLineError(CliHarness.run("eval", "train-features", "--self-supervised", "--out", dir.resolve("x.safetensors").toString()),
                "--folder");
    }
}
