package org.dlc4j.cli;

import static org.dlc4j.cli.CliHarness.assertOneLineError;
import static org.dlc4j.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.TestImages;
import org.dlc4j.data.DlcFile;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitTraining;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dlc prior and dlc generate from the command line: a working path end to end, and every bad input refused in one line. */
class PriorCliTest {
    @TempDir
    static Path dir;

    private static DlcFile codes(int n, int length, String encoder, long seed) {
        return new DlcFile(new Rng(seed).ints(n * length, 8), length, 8, null, null, 1.0, encoder, "t");
    }

    private static void trainDit(String name, int length, String encoder) {
        var model = DiT.Config.preset("tiny").conditionedOn(Conditioning.DLC, 0, length, 8, 0);
        try (var m = NDManager.newBaseManager()) {
            DitTraining.train(m, DitTraining.Config.tiny(model, 0),
                    new DitTraining.Data(TestImages.noise(8, 28, 1), codes(8, length, encoder, 1), null, encoder), dir.resolve(name + "-ck.safetensors"),
                    false, dir.resolve(name + ".safetensors"), Long.MAX_VALUE);
        }
    }

    @BeforeAll
    static void models() {
        codes(64, 4, "aaaa", 2).write(dir.resolve("train.safetensors"));
        codes(16, 4, "aaaa", 3).write(dir.resolve("test.safetensors"));
        codes(16, 5, "aaaa", 4).write(dir.resolve("long.safetensors"));
        var r = run("prior", "train", "--codes", s("train.safetensors"), "--heldout", s("test.safetensors"), "--preset", "tiny", "--epochs", "1",
                "--batch", "8", "--warmup", "2", "--out", s("prior.safetensors"), "--checkpoint", s("prior-ck.safetensors"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("bits per token"), r.out());
        trainDit("dit", 4, "aaaa");
        trainDit("dit-long", 5, "aaaa");
        trainDit("dit-other", 4, "bbbb");
    }

    private static String s(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void widthDepthAndHeadsResizeThePresetAndTheModelKeepsItsShape() {
        var r = run("prior", "train", "--codes", s("train.safetensors"), "--preset", "tiny", "--width", "24", "--depth", "3", "--heads", "3",
                "--epochs", "1", "--batch", "8", "--warmup", "2", "--out", s("resized.safetensors"), "--checkpoint", s("resized-ck.safetensors"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("width 24, 3 blocks, 3 heads"), r.out());
        try (var m = NDManager.newBaseManager(); var prior = TrainedPrior.load(m, dir.resolve("resized.safetensors"))) {
            var c = prior.model().config();
            assertEquals(24, c.dim());
            assertEquals(3, c.depth());
            assertEquals(3, c.heads());
        }
        var gen = run("generate", "--prior", s("resized.safetensors"), "--dit", s("dit.safetensors"), "--n", "2", "--prior-steps", "4", "--steps", "2",
                "--out", s("gen-resized"));
        assertEquals(0, gen.code(), gen.err());
        assertOneLineError(run("prior", "train", "--codes", s("train.safetensors"), "--preset", "tiny", "--width", "30", "--heads", "4"),
                "width 30", "multiple of 2 × heads", "--width");
        assertOneLineError(run("prior", "train", "--codes", s("train.safetensors"), "--preset", "tiny", "--depth", "0"), "depth 0");
    }

    @Test
    void initWarmStartsFromATrainedPriorOfTheSameShape() {
        var r = run("prior", "train", "--codes", s("train.safetensors"), "--preset", "tiny", "--epochs", "1", "--batch", "8", "--warmup", "2",
                "--init", s("prior.safetensors"), "--resume", "--out", s("warm.safetensors"), "--checkpoint", s("warm-ck.safetensors"));
        assertEquals(0, r.code(), r.err());
        assertTrue((r.out() + r.err()).contains("warm-started from " + s("prior.safetensors")), r.out() + r.err());
        assertOneLineError(run("prior", "train", "--codes", s("train.safetensors"), "--preset", "tiny", "--init", s("absent.safetensors"),
                "--out", s("warm2.safetensors"), "--checkpoint", s("warm2-ck.safetensors")), "warm-start model", "not found", "(--init)");
        assertOneLineError(run("prior", "train", "--codes", s("train.safetensors"), "--preset", "tiny", "--depth", "3", "--batch", "8", "--init",
                s("prior.safetensors"), "--out", s("warm3.safetensors"), "--checkpoint", s("warm3-ck.safetensors")), "same configuration");
    }

    @Test
    void generateDrawsCodesThenImagesAndTheSameSeedGivesTheSameOutput() {
        var r = run("generate", "--prior", s("prior.safetensors"), "--dit", s("dit.safetensors"), "--n", "3", "--prior-steps", "4", "--steps", "2",
                "--out", s("gen"));
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"grid.png", "samples.npz", "codes.safetensors"}) {
            assertTrue(Files.exists(dir.resolve("gen").resolve(f)), f);
        }
        DlcFile first = DlcFile.read(dir.resolve("gen").resolve("codes.safetensors"));
        assertEquals(3, first.count());
        assertEquals("aaaa", first.encoderSha(), "generated codes name the encoder whose codes the prior learned");
        var again = run("prior", "sample", "--prior", s("prior.safetensors"), "--n", "3", "--prior-steps", "4", "--prior-sampler", "remask",
                "--eta", "0.1", "--compare", s("train.safetensors"), "--out", s("a.safetensors"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("exact copies"), again.out());
        run("prior", "sample", "--prior", s("prior.safetensors"), "--n", "3", "--prior-steps", "4", "--prior-sampler", "remask", "--eta", "0.1",
                "--out", s("b.safetensors"));
        assertArrayEquals(DlcFile.read(dir.resolve("a.safetensors")).tokens(), DlcFile.read(dir.resolve("b.safetensors")).tokens());
    }

    @Test
    void aPriorAndADitOfDifferentCodesAreRefused() {
        assertOneLineError(run("generate", "--prior", s("prior.safetensors"), "--dit", s("dit-long.safetensors"), "--n", "2"), "4×8", "5×8");
        assertOneLineError(run("generate", "--prior", s("prior.safetensors"), "--dit", s("dit-other.safetensors"), "--n", "2"), "not the encoder");
        assertOneLineError(run("prior", "sample", "--prior", s("prior.safetensors"), "--compare", s("long.safetensors")), "5×8", "4×8");
    }

    @Test
    void badSamplerSettingsAndMissingFilesAreRefused() {
        String prior = s("prior.safetensors");
        assertOneLineError(run("prior", "sample", "--prior", prior, "--prior-steps", "0"), "prior sampling steps must be at least 1", "--prior-steps");
        assertOneLineError(run("prior", "sample", "--prior", prior, "--prior-sampler", "remask", "--eta", "1.5"), "η must be in [0, 1]");
        assertOneLineError(run("prior", "sample", "--prior", prior, "--eta", "-0.01"), "η must be in [0, 1]");
        assertOneLineError(run("prior", "sample", "--prior", prior, "--t0", "0.6", "--t1", "0.5"), "0 ≤ t0 < t1 ≤ 1");
        assertOneLineError(run("prior", "sample", "--prior", prior, "--prior-sampler", "gibbs"), "'gibbs'", "euler, analytic or remask");
        assertOneLineError(run("generate", "--prior", prior, "--dit", s("dit.safetensors"), "--steps", "0"), "--steps must be at least 1");
        assertOneLineError(run("generate", "--prior", s("missing.safetensors"), "--dit", s("dit.safetensors")), "missing.safetensors not found");
        assertOneLineError(run("prior", "train", "--codes", s("missing.safetensors")), "not found", "dlc encode");
        assertOneLineError(run("prior", "train", "--codes", s("train.safetensors"), "--preset", "huge"), "no SEDD preset 'huge'");
        assertOneLineError(run("generate", "--prior", prior, "--dit", s("prior.safetensors")), "prior.safetensors");
    }
}
