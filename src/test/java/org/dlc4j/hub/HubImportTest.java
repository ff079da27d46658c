package org.dlc4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

import java.util.Map;
import java.util.stream.Stream;
import org.dlc4j.cli.CliHarness;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitTraining;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.Npz;
import org.dlc4j.io.SafeTensors;
import org.dlc4j.nn.ModelFile;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.SeddTraining;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.sem.SemTraining;
import org.dlc4j.util.Rng;
import org.dlc4j.vae.AutoencoderKl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dlc import hf} on small fake hub folders that the authors' own classes wrote (parity/fake_hub.py): each
 * imported model computes what the reference computed on the same input, its checkpoint names where it came from, and
 * every broken folder is refused with one line naming the problem.
 */
class HubImportTest {
    private static final Path HUB = Path.of("src/test/resources/hub");
    private static final double TOL = 1e-5;

    @TempDir
    Path tmp;

    private static Map<String, HostTensor> expected() {
        return Npz.read(HUB.resolve("expected.npz"));
    }

    @Test
    void theSemEncoderImportsWithItsWrapperRemovedAndEncodesAsTheReference() {
        var r = CliHarness.run("import", "hf", HUB.resolve("sem").toString(), "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("encoder: ViT (patch 14, width 32, 2 blocks, 2 heads, 4 registers) with a SEM head of L 4 × V 8"), r.out());
        assertTrue(r.out().contains("left out dino_sem.sem_cls_norm.weight"), r.out());
        Path file = tmp.resolve("sem/encoder.safetensors");
        Checkpoint.Meta meta = Checkpoint.load(file).meta();
        assertEquals("fake/SEM_dinov2_tiny", meta.extra().get(HubImport.SOURCE_REPO));
        assertTrue(meta.extra().get(HubImport.SOURCE_FILES).contains(org.dlc4j.io.Hashes.sha256(HUB.resolve("sem/model.safetensors"))));
        var e = expected();
        try (NDManager m = NDManager.newBaseManager()) {
            var f = ModelFile.load(m, file, SemTraining.KIND, SemEncoder.Config.class, "encoder", (p, c) -> new SemEncoder(p, c, new Rng(0)));
            SemEncoder.Output o = f.model().forward(array(m, e.get("sem.x")), 1.0);
            assertClose(e.get("sem.logits").floats(), o.logits().toFloatArray());
            assertClose(e.get("sem.cls").floats(), o.cls().toFloatArray());
            f.params().close();
        }
    }

    @Test
    void theDitOfThePipelineImportsAndDenoisesAsTheReference() {
        var r = CliHarness.run("import", "hf", HUB.resolve("dit").toString(), "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("left out pos_embed"), r.out());
        var e = expected();
        try (NDManager m = NDManager.newBaseManager()) {
            var f = ModelFile.load(m, tmp.resolve("dit/dlc.safetensors"), DitTraining.KIND, DiT.Config.class, "DiT", (p, c) -> new DiT(p, c, new Rng(0)));
            int[] y = e.get("dit.y").intValues();
            Condition codes = Condition.codes(new int[] {y[0], y[1], y[2], y[3], 0, 0, 0, 0}, 4).dropping(new boolean[] {false, true});
            NDArray out = f.model().forward(array(m, e.get("dit.x")), e.get("dit.t").intValues(), codes);
            assertClose(e.get("dit.out").floats(), out.toFloatArray());
            f.params().close();
            // The VAE, saved under diffusers' older attention names, decodes as the reference.
            var v = ModelFile.load(m, tmp.resolve("vae/vae.safetensors"), TrainedDit.VAE_KIND, AutoencoderKl.Config.class, "VAE",
                    (p, c) -> new AutoencoderKl(p, c, new Rng(0)));
            assertClose(e.get("vae.image").floats(), v.model().decode(array(m, e.get("vae.z"))).toFloatArray());
            v.params().close();
            // The DiT names its VAE: loaded as a DiT of latents, it draws 3-channel pictures at the VAE's side.
            try (TrainedDit dit = TrainedDit.load(m, tmp.resolve("dit/dlc.safetensors"))) {
                assertTrue(dit.latent());
                assertEquals(List.of(3, 16), List.of(dit.output().channels(), dit.output().image()));
                var options = new org.dlc4j.dit.DitSampling.Options(org.dlc4j.diffusion.gaussian.SamplerConfig.ddim(2, 0), 1.5, Integer.MAX_VALUE, 2);
                float[] pictures = dit.sample(m, Condition.codes(new int[] {1, 2, 3, 4}, 4), options, new Rng(1));
                assertEquals(3 * 16 * 16, pictures.length);
            }
        }
    }

    @Test
    void aDitWithoutItsVaeIsRefused() {
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", HUB.resolve("dit/transformer").toString(), "--out", tmp.toString()),
                "holds no VAE to decode them");
        var r = CliHarness.run("import", "hf", HUB.resolve("dit/vae").toString(), "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(0, CliHarness.run("import", "hf", HUB.resolve("dit/transformer").toString(), "--out", tmp.toString()).code());
    }

    @Test
    void theSeddPriorImportsFromPytorchModelBinAndScoresAsTheReference() {
        var r = CliHarness.run("import", "hf", HUB.resolve("sedd").toString(), "--out", tmp.toString(), "--repo", "lavoies/DLC_SEDD_L512");
        assertEquals(0, r.code(), r.err());
        Path file = tmp.resolve("prior/sedd.safetensors");
        assertEquals("lavoies/DLC_SEDD_L512", Checkpoint.load(file).meta().extra().get(HubImport.SOURCE_REPO));
        var e = expected();
        try (NDManager m = NDManager.newBaseManager()) {
            var f = ModelFile.load(m, file, SeddTraining.KIND, Sedd.Config.class, "SEDD prior", (p, c) -> new Sedd(p, c, new Rng(0)));
            float[] sigma = e.get("sedd.sigma").floats();
            NDArray score = f.model().forward(m, e.get("sedd.tokens").intValues(), new double[] {sigma[0], sigma[1]}, null);
            assertClose(e.get("sedd.log_score").floats(), score.toFloatArray());
            f.params().close();
        }
    }

    @Test
    void aFolderWithoutConfigOrWeightsIsRefused() throws IOException {
        Path noConfig = copy("sem");
        Files.delete(noConfig.resolve("config.json"));
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", noConfig.toString(), "--out", tmp.resolve("o").toString()), "no config.json");
        Path noWeights = copy("sem");
        Files.delete(noWeights.resolve("model.safetensors"));
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", noWeights.toString(), "--out", tmp.resolve("o").toString()), "no weights");
        Path pipeline = copy("dit");
        deleteTree(pipeline.resolve("vae"));
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", pipeline.toString(), "--out", tmp.resolve("o").toString()), "no vae/ folder");
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", tmp.resolve("absent").toString()), "is not a folder");
    }

    @Test
    void aShapeMismatchIsRefused() throws IOException {
        Path badConfig = copy("dit");
        Path config = badConfig.resolve("transformer/config.json");
        Files.writeString(config, Files.readString(config).replace("\"hidden_size\": 32", "\"hidden_size\": 64"));
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", badConfig.toString(), "--out", tmp.resolve("o").toString()),
                "\"hidden_size\": 64 but the weights' shapes say 32");
        Path badTensor = copy("dit");
        rewrite(badTensor.resolve("transformer/diffusion_pytorch_model.safetensors"), t -> {
            HostTensor w = t.get("blocks.0.attn.qkv.weight");
            t.put("blocks.0.attn.qkv.weight", new HostTensor(w.dtype(), new long[] {w.shape()[1], w.shape()[0]}, w.data()));
        });
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", badTensor.toString(), "--out", tmp.resolve("o").toString()),
                "'blocks.0.attn.qkv.weight' has shape [32, 96]");
    }

    @Test
    void anUnknownTensorIsRefused() throws IOException {
        Path extra = copy("dit");
        rewrite(extra.resolve("transformer/diffusion_pytorch_model.safetensors"),
                t -> t.put("blocks.0.extra.weight", HostTensor.ofFloats(new long[] {2}, new float[] {1, 2})));
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", extra.toString(), "--out", tmp.resolve("o").toString()),
                "'blocks.0.extra.weight'");
    }

    @Test
    void anUnsupportedDtypeIsRefused() throws IOException {
        Path bytes = copy("dit");
        rewrite(bytes.resolve("transformer/diffusion_pytorch_model.safetensors"), t -> {
            HostTensor w = t.get("blocks.0.attn.proj.bias");
            t.put("blocks.0.attn.proj.bias", HostTensor.ofBytes(w.shape(), new byte[(int) w.numel()]));
        });
        CliHarness.assertOneLineError(CliHarness.run("import", "hf", bytes.toString(), "--out", tmp.resolve("o").toString()),
                "blocks.0.attn.proj.bias", "U8");
    }

    private Path copy(String name) throws IOException {
        Path to = Files.createTempDirectory(tmp, name);
        try (Stream<Path> files = Files.walk(HUB.resolve(name))) {
            for (Path f : files.toList()) {
                Path target = to.resolve(HUB.resolve(name).relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return to;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static void rewrite(Path file, java.util.function.Consumer<LinkedHashMap<String, HostTensor>> change) {
        var contents = SafeTensors.read(file);
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>(contents.tensors());
        change.accept(t);
        SafeTensors.write(file, t, Map.of("format", "pt"));
    }

    private static NDArray array(NDManager m, HostTensor t) {
        return m.create(t.floats(), new Shape(t.shape()));
    }

    private static void assertClose(float[] want, float[] got) {
        assertEquals(want.length, got.length, "size");
        double scale = 0;
        double err = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            err = Math.max(err, Math.abs(want[i] - got[i]));
        }
        assertTrue(err <= TOL * scale, "max |Δ| " + err + " against max |expected| " + scale);
    }

}
