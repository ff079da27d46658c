package org.dlc4j.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.dlc4j.Code;
import org.dlc4j.Dlc;
import org.dlc4j.GeneratedImage;
import org.dlc4j.Sampling;
import org.dlc4j.cli.CliHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model set imported from hub folders (the tiny fakes of parity/fake_hub.py: encoder, DiT pipeline with its VAE,
 * SEDD prior) used as the paper's models are: pictures of any size encoded from 224-px centre crops, codes decoded by
 * the latent DiT and its VAE into colour pictures, new images from the prior, compositions; from Java and from the CLI.
 */
class ReleasedSetTest {
    private static final Path HUB = Path.of("src/test/resources/hub");

    @TempDir
    Path tmp;

    private Path importAll() {
        Path set = tmp.resolve("released");
        for (String part : List.of("sem", "dit", "sedd")) {
            HubImport.run(HUB.resolve(part), set, null);
        }
        assertTrue(Files.exists(set.resolve("released.json")));
        return set;
    }

    private static BufferedImage picture(int w, int h, int seed) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b.setRGB(x, y, (x * 7 + seed) % 256 << 16 | (y * 5) % 256 << 8 | (x + y + 40 * seed) % 256);
            }
        }
        return b;
    }

    @Test
    void encodeDecodeGenerateAndComposeFromJava() {
        Path set = importAll();
        Sampling sampling = Sampling.defaults().withSteps(3).withPriorSteps(4).withGuidance(1.5);
        try (Dlc dlc = Dlc.open(set)) {
            assertEquals(224, dlc.imageSize());
            assertEquals(3, dlc.imageChannels());
            Code a = dlc.encode(picture(320, 200, 1));
            Code b = dlc.encode(picture(150, 260, 2));
            assertEquals(List.of(4, 8), List.of(a.length(), a.vocab()));
            assertArrayEquals(a.tokens(), dlc.encode(picture(320, 200, 1)).tokens(), "the same picture, the same code");
            List<GeneratedImage> decoded = dlc.decode(a, 2, sampling);
            assertEquals(2, decoded.size());
            BufferedImage first = decoded.get(0).image();
            assertEquals(List.of(16, 16), List.of(first.getWidth(), first.getHeight()), "the VAE's side: 8 × 8 latents, 2× upsampled");
            assertArrayEquals(a.tokens(), decoded.get(0).code().tokens());
            assertEquals(3, dlc.generate(3, sampling).size());
            assertEquals(2, dlc.compose(List.of(a, b), null, 2, sampling).size());
        }
    }

    @Test
    void theCommandLineEncodesFoldersOfAnySizeAndGeneratesColourPictures() throws Exception {
        Path set = importAll();
        Path pics = Files.createDirectories(tmp.resolve("pics"));
        ImageIO.write(picture(300, 180, 3), "png", pics.resolve("a.png").toFile());
        ImageIO.write(picture(90, 140, 4), "png", pics.resolve("b.png").toFile());
        var enc = CliHarness.run("encode", "--encoder", set.resolve("sem/encoder.safetensors").toString(), "--images", pics.toString(), "--out",
                tmp.resolve("codes.safetensors").toString());
        assertEquals(0, enc.code(), enc.err());
        assertTrue(enc.out().contains("2 codes of 4×8"), enc.out());
        Path out = tmp.resolve("gen");
        var gen = CliHarness.run("generate", "--dit", set.resolve("dit/dlc.safetensors").toString(), "--prior", set.resolve("prior/sedd.safetensors").toString(),
                "--n", "2", "--steps", "3", "--prior-steps", "4", "--out", out.toString());
        assertEquals(0, gen.code(), gen.err());
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        assertTrue(grid.getWidth() >= 2 * 16, "a grid of 16-px pictures: " + grid.getWidth());
        // Codes made by the authors' own tools (a torch.save'd tensor, as their text-to-DLC script writes) decode too.
        var fromPt = CliHarness.run("dit", "sample", "--model", set.resolve("dit/dlc.safetensors").toString(), "--codes", HUB.resolve("codes.pt").toString(),
                "--n", "2", "--steps", "3", "--out", tmp.resolve("pt").toString());
        assertEquals(0, fromPt.code(), fromPt.err());
        assertTrue(Files.exists(tmp.resolve("pt/grid.png")));
        // Two pictures of different sizes composed per position, shown in colour beside the compositions.
        var compose = CliHarness.run("compose", "--encoder", set.resolve("sem/encoder.safetensors").toString(), "--dit", set.resolve("dit/dlc.safetensors").toString(),
                pics.resolve("a.png").toString(), pics.resolve("b.png").toString(), "--n", "2", "--steps", "3", "--out", tmp.resolve("mix").toString());
        assertEquals(0, compose.code(), compose.err());
        assertTrue(Files.exists(tmp.resolve("mix/grid.png")));
    }
}
