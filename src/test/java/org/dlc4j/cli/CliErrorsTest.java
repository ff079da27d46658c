package org.dlc4j.cli;

import static org.dlc4j.cli.CliHarness.assertOneLineError;
import static org.dlc4j.cli.CliHarness.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gets one line naming the problem, a non-zero exit and no stack trace. */
class CliErrorsTest {
    @Test
    void helpListsEveryCommand() {
        CliHarness.Result r = run("--help");
        assertEquals(0, r.code());
        for (String cmd : new String[] {"demo", "toy", "data", "eval", "sem", "encode", "dit", "prior", "generate", "compose", "text", "bench", "serve", "inspect"}) {
            assertTrue(r.out().contains("  " + cmd + " "), cmd + " listed in:\n" + r.out());
        }
        for (String cmd : new String[] {"demo", "toy", "data", "eval", "sem", "encode", "dit", "prior", "generate", "compose", "text", "bench", "serve", "inspect"}) {
            assertEquals(0, run(cmd, "--help").code(), cmd + " --help");
        }
    }

    @Test
    void unknownFlagsAndBadValues() {
        assertOneLineError(run("toy", "--bogus"), "--bogus", "dlc toy --help");
        assertOneLineError(run("nosuchcommand"), "nosuchcommand");
        assertOneLineError(run("toy", "--steps", "many"), "--steps");
        assertOneLineError(run("toy", "--modes", "10", "--out", "/tmp/dlc-never-written"), "square");
        assertOneLineError(run("toy", "--bandwidth", "wide"), "--bandwidth");
        assertOneLineError(run("toy", "--steps", "-3"), "--steps must be positive");
        assertOneLineError(run("data", "--split", "validation"), "--split");
        assertOneLineError(run("toy", "--device", "tpu"), "tpu");
        assertOneLineError(run("dit", "train", "--cond", "colour"), "--cond 'colour'");
        assertOneLineError(run("dit", "train", "--cond", "none", "--lr", "0"), "--lr must be positive");
        assertOneLineError(run("dit", "train", "--cond", "none", "--snapshot-every", "-1"), "--snapshot-every must be ≥ 0");
        assertOneLineError(run("dit", "train", "--cond", "dlc", "--code-pooling", "max"), "--code-pooling 'max' is not mean or scaled");
        assertOneLineError(run("dit", "train", "--cond", "class", "--code-pooling", "mean"), "--code-pooling applies to --cond dlc only");
        // A missing warm-start model is named before any data are read (this data folder does not exist either).
        assertOneLineError(run("dit", "train", "--cond", "dlc", "--data", "/nonexistent/fmnist", "--init", "/nonexistent/dit.safetensors"),
                "warm-start model /nonexistent/dit.safetensors not found", "--init");
        assertOneLineError(run("dit", "sample", "--scale", "-1"), "--scale must be ≥ 0");
        assertOneLineError(run("dit", "sample", "--model", "/nonexistent/dit.safetensors"), "not found");
        assertOneLineError(run("sem", "export", "--checkpoint", "/nonexistent/ck.safetensors", "--out", "/tmp/x.safetensors"), "not found");
        assertOneLineError(run("sem", "train", "--backbone", "cnn"), "--backbone 'cnn' is not vit or resnet");
        assertOneLineError(run("sem", "train", "--objective", "simclr"), "--objective 'simclr' is not dino, byol or vicreg");
        assertOneLineError(run("sem", "train", "--backbone", "vit", "--widths", "32,64"), "add --backbone resnet");
        assertOneLineError(run("sem", "train", "--backbone", "resnet", "--stem", "8"), "--stem");
        assertOneLineError(run("sem", "train", "--backbone", "resnet", "--widths", "32,0"), "--widths takes positive");
        assertOneLineError(run("sem", "train", "--backbone", "resnet", "--ibot", "1"), "the ResNet backbone has none");
        assertOneLineError(run("sem", "train", "--objective", "byol", "--locals", "2"), "takes two views");
        assertOneLineError(run("sem", "train", "--batch", "1"), "--batch must be at least 2");
        assertOneLineError(run("sem", "train", "--teacher-momentum", "1.5"), "--teacher-momentum must be in [0, 1]");
        assertOneLineError(run("sem", "train", "--epochs", "0"), "--epochs must be > 0");
    }

    @Test
    void aDitRefusesCodesOfTheWrongShapeOrFromAnotherEncoder(@TempDir Path dir) {
        var images = org.dlc4j.TestImages.noise(8, 28, 1);
        var codes = new org.dlc4j.data.DlcFile(new int[8 * 4], 4, 8, null, null, 1.0, "aaaa", "t");
        var model = org.dlc4j.dit.DiT.Config.preset("tiny").conditionedOn(org.dlc4j.dit.Conditioning.DLC, 0, 4, 8, 0);
        try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.dlc4j.dit.DitTraining.train(m, org.dlc4j.dit.DitTraining.Config.tiny(model, 0), new org.dlc4j.dit.DitTraining.Data(images, codes, null, "aaaa"),
                    dir.resolve("ck.safetensors"), false, dir.resolve("dit.safetensors"), Long.MAX_VALUE);
        }
        new org.dlc4j.data.DlcFile(new int[2 * 4], 4, 8, null, null, 1.0, "bbbb", "t").write(dir.resolve("other.safetensors"));
        new org.dlc4j.data.DlcFile(new int[2 * 5], 5, 8, null, null, 1.0, "aaaa", "t").write(dir.resolve("long.safetensors"));
        String dit = dir.resolve("dit.safetensors").toString();
        assertOneLineError(run("dit", "sample", "--model", dit, "--codes", dir.resolve("other.safetensors").toString()), "not the encoder");
        assertOneLineError(run("dit", "sample", "--model", dit, "--codes", dir.resolve("long.safetensors").toString()), "5×8", "4×8");
        assertOneLineError(run("dit", "sample", "--model", dit, "--class", "3"), "DLC-conditional");
        new org.dlc4j.data.DlcFile(new int[2 * 4], 4, 8, new int[] {1, 7}, null, 1.0, "aaaa", "t").write(dir.resolve("same.safetensors"));
        assertOneLineError(run("dit", "sample", "--model", dit, "--codes", dir.resolve("same.safetensors").toString(), "--steps", "0"),
                "--steps must be at least 1");
        assertOneLineError(run("dit", "curve", dir.resolve("missing.safetensors").toString()), "missing.safetensors not found");
        CliHarness.Result ok = run("dit", "sample", "--model", dit, "--codes", dir.resolve("same.safetensors").toString(), "--n", "3", "--sampler", "ddim",
                "--steps", "2", "--scale", "2", "--out", dir.resolve("s").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.exists(dir.resolve("s").resolve("samples.npz")) && Files.exists(dir.resolve("s").resolve("grid.png")));
        assertArrayEquals(new int[] {1, 7, 1}, org.dlc4j.data.ImageNpz.read(dir.resolve("s").resolve("samples.npz")).labels(),
                "each sample carries the class of the image whose code it got, for conditional accuracy");
    }

    @Test
    void missingDataset(@TempDir Path dir) {
        assertOneLineError(run("data", "--data", dir.resolve("nowhere").toString()), "Fashion-MNIST not found", "apt-get install -y dataset-fashion-mnist", "--data");
    }

    @Test
    void unreadableTruncatedAndForeignCheckpoints(@TempDir Path dir) throws Exception {
        assertOneLineError(run("inspect", dir.resolve("missing.safetensors").toString()), "missing.safetensors", "not found");

        Path good = dir.resolve("good.safetensors");
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
        t.put("w", HostTensor.ofFloats(new long[] {64, 64}, new float[64 * 64]));
        new Checkpoint(new Checkpoint.Meta("toy-mlp", "{}", 3, "grid", 0, "", "", Map.of()), t).save(good);
        assertEquals(0, run("inspect", good.toString()).code());

        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertOneLineError(run("inspect", truncated.toString()), "truncated.safetensors", "truncated");

        Path text = dir.resolve("notes.safetensors");
        Files.writeString(text, "these are not tensors\n");
        assertOneLineError(run("inspect", text.toString()), "notes.safetensors", "not a safetensors file");

        Path foreign = dir.resolve("foreign.safetensors");
        SafeTensors.write(foreign, t, Map.of("format", "pt"));
        assertOneLineError(run("inspect", foreign.toString()), "foreign.safetensors", "not a dlc4j checkpoint");
    }

    @Test
    void checkpointOfWrongKindOrShapeWhenResuming(@TempDir Path dir) throws Exception {
        Path ckptDir = dir.resolve("checkpoints");
        Files.createDirectories(ckptDir);
        Path wrongKind = ckptDir.resolve("toy-N9-unconditional.safetensors");
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
        t.put("w", HostTensor.ofFloats(new long[] {2}, new float[2]));
        new Checkpoint(new Checkpoint.Meta("dit", "{}", 3, "fmnist", 0, "", "", Map.of()), t).save(wrongKind);
        String[] small = {"--kde-samples", "500", "--eval-samples", "200", "--sampling-steps", "5"};
        assertOneLineError(run(concat(new String[] {"toy", "--modes", "9", "--steps", "2", "--out", dir.toString(), "--resume"}, small)),
                "toy-N9-unconditional.safetensors", "'dit'", "toy-mlp");

        // A real toy checkpoint of width 16, resumed by a run of width 32: refused on the configuration, before any shape.
        Files.delete(wrongKind);
        assertEquals(0, run(concat(new String[] {"toy", "--modes", "9", "--steps", "2", "--hidden", "16", "--out", dir.toString()}, small)).code());
        assertOneLineError(run(concat(new String[] {"toy", "--modes", "9", "--steps", "4", "--hidden", "32", "--out", dir.toString(), "--resume"}, small)),
                "toy-N9-unconditional.safetensors", "another model", "\"hidden\": 16", "\"hidden\": 32");
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void verbosePrintsTheStackTrace(@TempDir Path dir) {
        CliHarness.Result r = run("inspect", "--verbose", dir.resolve("missing.safetensors").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("\tat "), "stack trace with --verbose");
    }

    @Test
    void serveRefusesABadPortOrOneInUse() throws Exception {
        assertOneLineError(run("serve", "--port", "70000"), "--port", "0..65535");
        assertOneLineError(run("serve", "--workers", "0"), "--workers");
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertOneLineError(run("serve", "--port", Integer.toString(taken.getLocalPort())), "--port", "another port");
        }
    }
}
