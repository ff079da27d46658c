package org.dlc4j.cli;

import static org.dlc4j.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.data.DlcFile;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.Hashes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dlc sem train with the ResNet and a two-view objective, then export, eval and encode, on a slice of Fashion-MNIST. */
class SemCliTest {
    @TempDir
    Path dir;

    private String s(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void aResNetTrainedWithVicRegWritesSnapshotsAnEncoderAndItsCodes() {
        var r = run("sem", "train", "--preset", "tiny", "--backbone", "resnet", "--objective", "vicreg", "--limit", "64", "--epochs", "2",
                "--snapshot-every", "4", "--checkpoint", s("ck/train.safetensors"), "--out", s("enc.safetensors"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("8 of 8 steps"), r.out());
        assertTrue(r.err().contains("code usage"), "the collapse check is printed: " + r.err());
        assertTrue(Files.exists(dir.resolve("ck/snapshots/step-4.safetensors")) && Files.exists(dir.resolve("ck/snapshots/step-8.safetensors")));
        // The last snapshot is the shipped encoder, and so is the export of the last checkpoint.
        assertSameWeights("ck/snapshots/step-8.safetensors", "enc.safetensors");
        r = run("sem", "export", "--checkpoint", s("ck/train.safetensors"), "--limit", "64", "--out", s("exported.safetensors"));
        assertEquals(0, r.code(), r.err());
        assertSameWeights("enc.safetensors", "exported.safetensors");
        assertTrue(Checkpoint.load(dir.resolve("enc.safetensors")).meta().extra().get("collapse_check").contains("distinct codes"));

        r = run("sem", "eval", "--encoder", s("enc.safetensors"), "--limit", "64", "--knn", "1,5", "--grid", s("grid.png"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("DLC one-hot") && r.out().contains("backbone feature"), r.out());
        r = run("encode", "--split", "test", "--encoder", s("enc.safetensors"), "--out", s("codes.safetensors"));
        assertEquals(0, r.code(), r.err());
        DlcFile codes = DlcFile.read(dir.resolve("codes.safetensors"));
        assertEquals(10_000, codes.count());
        assertEquals(4, codes.length());
        assertEquals(Hashes.sha256(dir.resolve("enc.safetensors")), codes.encoderSha());
    }

    private void assertSameWeights(String a, String b) {
        var x = Checkpoint.load(dir.resolve(a)).tensors();
        var y = Checkpoint.load(dir.resolve(b)).tensors();
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k).floats(), y.get(k).floats(), 0f, a + " vs " + b + ": " + k);
        }
    }
}
