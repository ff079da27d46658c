package org.dlc4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.dlc4j.cli.Main;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.data.ImageNpz;
import org.dlc4j.data.PngFolderDataset;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.ModelMismatchException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade on the shipped models: what it returns, that it agrees with the CLI for the same seed, and its typed errors. */
class DlcTest {
    static final Sampling FAST = Sampling.defaults().withSeed(3).withSteps(4).withPriorSteps(8).withTextSteps(4);
    static Dlc dlc;

    @BeforeAll
    static void open() {
        dlc = Dlc.open();
    }

    @AfterAll
    static void close() {
        dlc.close();
    }

    static BufferedImage query(String name) throws Exception {
        return ImageIO.read(Path.of("assets/fmnist/queries", name).toFile());
    }

    @Test
    void encodesToTheArgmaxOfItsDistributions() throws Exception {
        List<Code> codes = dlc.encode(List.of(query("test01000.png"), query("test01007.png")));
        assertEquals(2, codes.size());
        Code c = codes.get(0);
        assertEquals(32, c.length());
        assertEquals(64, c.vocab());
        float[] p = c.distributions();
        for (int l = 0; l < c.length(); l++) {
            int best = 0;
            double sum = 0;
            for (int v = 0; v < c.vocab(); v++) {
                sum += p[l * c.vocab() + v];
                best = p[l * c.vocab() + v] > p[l * c.vocab() + best] ? v : best;
            }
            assertEquals(1.0, sum, 1e-4, "position " + l + " is a distribution");
            assertEquals(best, c.tokens()[l], "the code is the argmax of position " + l);
        }
        Code alone = dlc.encode(query("test01000.png"));
        assertArrayEquals(c.tokens(), alone.tokens(), "the same image gives the same code, alone or in a batch");
        assertArrayEquals(c.distributions(), alone.distributions(), 1e-5f, "and the same distributions, up to batched rounding");
        assertTrue(c.shared(codes.get(1)) < c.length(), "a shirt and a boot differ in some position");
    }

    @Test
    void generateIsDlcGenerateForTheSameSeed(@TempDir Path dir) {
        List<GeneratedImage> images = dlc.generate(2, FAST);
        cli("generate", "--n", "2", "--seed", "3", "--steps", "4", "--prior-steps", "8", "--out", dir.toString());
        DlcFile codes = DlcFile.read(dir.resolve("codes.safetensors"));
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(codes.code(i), images.get(i).code().tokens(), "code " + i);
        }
        assertSamePixels(ImageNpz.read(dir.resolve("samples.npz")), images);
    }

    @Test
    void decodeIsDitSampleAndFromPromptIsGeneratePrompt(@TempDir Path dir) throws Exception {
        Code boot = dlc.encode(query("test01007.png"));
        new DlcFile(boot.tokens(), boot.length(), boot.vocab(), null, null, 1.0, boot.encoderSha256(), "test").write(dir.resolve("boot.safetensors"));
        cli("dit", "sample", "--codes", dir.resolve("boot.safetensors").toString(), "--n", "2", "--seed", "3", "--steps", "4", "--out", dir.resolve("d").toString());
        List<GeneratedImage> decoded = dlc.decode(boot, 2, FAST);
        assertSamePixels(ImageNpz.read(dir.resolve("d/samples.npz")), decoded);
        assertEquals(boot.withoutDistributions(), decoded.get(0).code());

        String prompt = "a photo of a sneaker";
        cli("generate", "--prompt", prompt, "--n", "2", "--seed", "3", "--steps", "4", "--text-steps", "4", "--out", dir.resolve("p").toString());
        List<GeneratedImage> drawn = dlc.fromPrompt(prompt, 2, FAST);
        assertSamePixels(ImageNpz.read(dir.resolve("p/samples.npz")), drawn);
    }

    @Test
    void composeMixesPositionsOfItsSources() throws Exception {
        List<Code> two = dlc.encode(List.of(query("test01000.png"), query("test01007.png")));
        List<GeneratedImage> mixed = dlc.compose(two, null, 3, FAST);
        assertEquals(3, mixed.size());
        for (GeneratedImage g : mixed) {
            int[] t = g.code().tokens();
            for (int l = 0; l < t.length; l++) {
                assertTrue(t[l] == two.get(0).tokens()[l] || t[l] == two.get(1).tokens()[l], "position " + l + " comes from a source");
            }
        }
        assertEquals(mixed.get(2).code(), dlc.compose(two, null, 3, FAST).get(2).code(), "deterministic with the seed");
    }

    @Test
    void typedErrorsNameNoFlag(@TempDir Path dir) throws Exception {
        var missing = assertThrows(InvalidInputException.class, () -> Dlc.open(dir.resolve("nowhere")));
        assertEquals("models", missing.parameter());
        Code boot = dlc.encode(query("test01007.png"));
        Code foreign = new Code(boot.tokens(), boot.vocab(), "0123456789abcdef", null);
        var mismatch = assertThrows(ModelMismatchException.class, () -> dlc.decode(foreign, 1, FAST));
        assertTrue(mismatch.getMessage().contains("not the encoder this DiT was trained with"), mismatch.getMessage());
        Code short_ = new Code(new int[8], 64, boot.encoderSha256(), null);
        assertTrue(assertThrows(ModelMismatchException.class, () -> dlc.decode(short_, 1, FAST)).getMessage().contains("8×64"));
        assertEquals("n", assertThrows(InvalidInputException.class, () -> dlc.generate(0, FAST)).parameter());
        assertThrows(InvalidInputException.class, () -> dlc.compose(List.of(boot), null, 2, FAST));
        assertThrows(InvalidInputException.class, () -> FAST.withSteps(0));
        for (var e : List.of(missing, mismatch)) {
            assertTrue(!e.getMessage().contains("--"), "no flag in: " + e.getMessage());
        }
    }

    /** The CLI's samples.npz (bytes) against the facade's pictures, converted to bytes the way PNGs are read. */
    private static void assertSamePixels(ImageDataset cli, List<GeneratedImage> facade) {
        List<BufferedImage> pictures = new ArrayList<>(facade.stream().map(GeneratedImage::image).toList());
        ImageDataset mine = PngFolderDataset.fromImages("facade", pictures, pictures.stream().map(p -> "image").toList(), 1);
        assertEquals(cli.count(), mine.count());
        byte[] a = cli.pixels();
        byte[] b = mine.pixels();
        int worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
        }
        assertTrue(worst <= 1, "pixels differ by " + worst + " (rounding allows 1)");
    }

    private static void cli(String... args) {
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run(args), String.join(" ", args));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void infillKeepsTheKeptPositionsAndRepeatsWithTheSeed() throws Exception {
        Code code = dlc.encode(query("test01004.png"));
        boolean[] keep = new boolean[code.length()];
        for (int p = 0; p < keep.length; p += 2) {
            keep[p] = true;
        }
        List<GeneratedImage> a = dlc.infill(code, keep, 3, FAST);
        List<GeneratedImage> b = dlc.infill(code, keep, 3, FAST);
        int redrawn = 0;
        for (int i = 0; i < 3; i++) {
            int[] t = a.get(i).code().tokens();
            assertArrayEquals(t, b.get(i).code().tokens(), "same seed, same codes");
            for (int p = 0; p < t.length; p++) {
                if (keep[p]) {
                    assertEquals(code.tokens()[p], t[p], "kept position " + p);
                } else {
                    redrawn += t[p] != code.tokens()[p] ? 1 : 0;
                }
            }
        }
        assertTrue(redrawn > 0, "the released positions are drawn afresh");
        boolean[] all = new boolean[code.length()];
        java.util.Arrays.fill(all, true);
        assertArrayEquals(code.tokens(), dlc.infill(code, all, 1, FAST).get(0).code().tokens(), "keeping everything changes nothing");
        assertThrows(InvalidInputException.class, () -> dlc.infill(code, new boolean[3], 1, FAST));
    }

    @Test
    void distributionMixingNeedsEncodedCodes() throws Exception {
        List<Code> codes = dlc.encode(List.of(query("test01000.png"), query("test01012.png")));
        assertEquals(2, dlc.compose(codes, new double[] {0.7, 0.3}, Dlc.Mixing.DISTRIBUTIONS, 2, FAST).size());
        List<Code> bare = codes.stream().map(Code::withoutDistributions).toList();
        assertThrows(InvalidInputException.class, () -> dlc.compose(bare, null, Dlc.Mixing.DISTRIBUTIONS, 1, FAST));
    }

    @Test
    void theGalleryFindsAnImageByItsOwnCode() {
        Gallery g = dlc.gallery();
        assertEquals(1000, g.size());
        Code c = g.codes().get(17);
        Gallery.Neighbour first = g.nearest(c, 5).get(0);
        assertEquals(17, first.index());
        assertEquals(c.length(), first.shared());
        assertEquals(5, g.nearest(c, 5).size());
        assertEquals(g.nearest(c, 5), g.nearest(c, 5));
    }

    @Test
    void codesAreCheckedAgainstTheModels() {
        int[] tokens = dlc.gallery().codes().get(0).tokens();
        assertArrayEquals(tokens, dlc.code(tokens).tokens());
        assertThrows(ModelMismatchException.class, () -> dlc.code(new int[] {1, 2, 3}), "a code of another length");
        tokens[4] = 64;
        assertThrows(InvalidInputException.class, () -> dlc.code(tokens));
    }
}
