package org.dlc4j.cli;

import static org.dlc4j.cli.CliHarness.assertOneLineError;
import static org.dlc4j.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.FashionMnist;
import org.dlc4j.util.Home;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dlc compose from the command line with the shipped encoder and DLC DiT: weights, outputs, and bad inputs. */
class ComposeCliTest {
    @TempDir
    Path dir;

    private static String query(String name) {
        return Home.dir().resolve("assets/fmnist/queries").resolve(name).toString();
    }

    private DlcFile compose(String out, String... extra) {
        String[] base = {"compose", query("test01000.png"), query("test01007.png"), "--n", "3", "--steps", "2", "--out", dir.resolve(out).toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        var r = run(args);
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"grid.png", "samples.npz", "codes.safetensors"}) {
            assertTrue(Files.exists(dir.resolve(out).resolve(f)), f);
        }
        return DlcFile.read(dir.resolve(out).resolve("codes.safetensors"));
    }

    @Test
    void weightOneGivesTheSourceCodeAndEqualWeightsMixTheTwo() {
        int[] a = compose("a", "--weights", "1,0").code(2);
        int[] b = compose("b", "--weights", "0,1").code(0);
        DlcFile mixed = compose("ab");
        assertEquals(3, mixed.count());
        int fromA = 0;
        for (int i = 0; i < mixed.count(); i++) {
            int[] c = mixed.code(i);
            for (int l = 0; l < c.length; l++) {
                assertTrue(c[l] == a[l] || c[l] == b[l], "position " + l + " comes from a source");
                fromA += c[l] == a[l] ? 1 : 0;
            }
        }
        assertTrue(fromA > 0 && fromA < 3 * a.length, "both sources contribute");
        assertArrayEquals(mixed.tokens(), compose("again").tokens(), "the same seed gives the same compositions");
        DlcFile dist = compose("dist", "--method", "distribution", "--tau", "0.001");
        for (int l = 0; l < a.length; l++) {
            assertTrue(dist.code(0)[l] == a[l] || dist.code(0)[l] == b[l], "at τ → 0 distribution mixing is code mixing");
        }
    }

    @Test
    void codeMethodsAreComparedWithTheEmbeddingPairByPair() {
        var vendi = new java.util.EnumMap<org.dlc4j.compose.Composition.Method, double[]>(org.dlc4j.compose.Composition.Method.class);
        vendi.put(org.dlc4j.compose.Composition.Method.CODE, new double[] {5, 3, 4});
        assertEquals("", org.dlc4j.experiments.CompositionStudy.pairedVendi(vendi), "no baseline, no comparison");
        vendi.put(org.dlc4j.compose.Composition.Method.EMBEDDING, new double[] {4, 4, 1});
        String row = org.dlc4j.experiments.CompositionStudy.pairedVendi(vendi);
        assertTrue(row.startsWith("| code − embedding") && row.contains("+1.00 ± 2.00, higher in 2 of 3 pairs"), row);
    }

    @Test
    void theTableAndTheSweepRunOnTestPairs() throws Exception {
        assumeTrue(Files.exists(FashionMnist.DEFAULT_DIR.resolve("t10k-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
        String gallery = dir.resolve("gallery.safetensors").toString();
        // A gallery of another encoder's codes is refused with the command that makes the right one.
        String other = dir.resolve("other.safetensors").toString();
        new DlcFile(new Rng(2).ints(50 * 32, 64), 32, 64, new Rng(3).ints(50, 10), null, 1, "0".repeat(64), "another encoder").write(Path.of(other));
        assertOneLineError(run("compose", "table", "--pairs", "1", "--n", "2", "--methods", "code", "--steps", "2", "--code-gallery", other, "--out", dir.resolve("x").toString()),
                "dlc encode --split train --encoder", "fmnist-sem-32x64.safetensors");
        assertEquals(0, run("encode", "--split", "train", "--limit", "50", "--out", gallery).code());
        var t = run("compose", "table", "--pairs", "2", "--n", "3", "--methods", "code,distribution", "--steps", "2", "--code-gallery", gallery,
                "--code-knn", "5", "--out", dir.resolve("t").toString());
        assertEquals(0, t.code(), t.err());
        String table = Files.readString(dir.resolve("t").resolve("table.md"));
        assertTrue(table.contains("| code |") && table.contains("| distribution |") && table.contains("| pixel mean of the two sources"), table);
        assertTrue(table.contains("5 nearest training codes") && table.contains("own code"), table);
        assertOneLineError(run("compose", "table", "--code-gallery", gallery, "--code-knn", "51"), "--code-knn");
        assertEquals(5, Files.readAllLines(dir.resolve("t").resolve("table.csv")).size(), "a header and 2 pairs × 2 methods");
        assertTrue(Files.exists(dir.resolve("t").resolve("code.png")));
        var w = run("compose", "sweep", "--pairs", "1", "--n", "2", "--grid", "0,1", "--steps", "2", "--out", dir.resolve("w").toString());
        assertEquals(0, w.code(), w.err());
        assertTrue(Files.exists(dir.resolve("w").resolve("sweep.png")));
        assertOneLineError(run("compose", "sweep", "--grid", "0,1.5"), "[0, 1]");
        assertOneLineError(run("compose", "table", "--n", "1"), "--n");
    }

    @Test
    void badInputsAreRefusedInOneLine() {
        String a = query("test01000.png");
        assertOneLineError(run("compose", a), "at least two sources");
        assertOneLineError(run("compose", a, a, "--weights", "0,0"), "sum to 0");
        assertOneLineError(run("compose", a, a, "--weights", "1,2,3"), "3 weights for 2 sources");
        assertOneLineError(run("compose", a, a, "--method", "average"), "'average'");
        assertOneLineError(run("compose", a, a, "--tau", "0"), "--tau");
        assertOneLineError(run("compose", a, dir.resolve("missing.png").toString()), "missing.png", "not found");
        assertOneLineError(run("compose", a, "nonsense"), "'nonsense'");
        new DlcFile(new Rng(1).ints(32, 64), 32, 64, null, null, 1, "", "t").write(dir.resolve("l32.safetensors"));
        new DlcFile(new Rng(2).ints(16, 64), 16, 64, null, null, 1, "", "t").write(dir.resolve("l16.safetensors"));
        assertOneLineError(run("compose", dir.resolve("l32.safetensors").toString(), dir.resolve("l16.safetensors") + ":0"), "32×64", "16×64");
        assertOneLineError(run("compose", dir.resolve("l32.safetensors").toString(), dir.resolve("l32.safetensors") + ":4"), "index 4");
        assertOneLineError(run("compose", a, dir.resolve("l32.safetensors").toString(), "--method", "embedding", "--sem-dit",
                Home.models().resolve("dit/fmnist-dlc.safetensors").toString()), "conditioned on dlc");
    }
}
