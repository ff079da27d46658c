package org.dlc4j.hub;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitTraining;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.io.AtomicFiles;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.Hashes;
import org.dlc4j.io.Json;
import org.dlc4j.io.TensorSource;
import org.dlc4j.nn.Params;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.SeddTraining;
import org.dlc4j.sem.SemEncoder;
import org.dlc4j.sem.SemTraining;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.DlcIoException;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;
import org.dlc4j.vae.AutoencoderKl;

/**
 * {@code dlc import hf}: a Hugging Face hub folder of a released model (or the DiT pipeline's folder, whose
 * {@code transformer/} and {@code vae/} are two models) → dlc4j checkpoints in a model set. The kind is recognised by
 * the weights' names; sizes come from {@link HubConfig}; weights go through {@link HubLoader}; each checkpoint records
 * the source repository, the SHA-256 of every file read and the tensors left out on purpose.
 */
public final class HubImport {
    /** Extra metadata of an imported checkpoint. */
    public static final String SOURCE_REPO = "source_repo";
    public static final String SOURCE_FILES = "source_files";
    public static final String DROPPED = "dropped_tensors";

    private HubImport() {
    }

    /** One imported model. */
    public record Imported(ReleasedKind kind, Path file, String repo, String describe, Map<String, String> dropped) {
    }

    /**
     * Imports the model(s) of {@code dir} into the model set {@code out} ({@link ReleasedKind#relativePath()} under it).
     *
     * @param repo the hub repository the folder was downloaded from, for provenance (null: config.json's
     *             {@code _name_or_path}, else the folder's name)
     */
    public static List<Imported> run(Path dir, Path out, String repo) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir + " is not a folder: give the folder a Hugging Face model was downloaded to");
        }
        List<Path> models = new ArrayList<>();
        if (Files.exists(dir.resolve("model_index.json"))) {
            // A diffusers pipeline (DLCDiTPipeline): its models are sub-folders; the scheduler has no weights. The VAE first:
            // the DiT's checkpoint names the VAE file it decodes with.
            for (String part : List.of("vae", "transformer")) {
                if (!Files.isDirectory(dir.resolve(part))) {
                    throw new InvalidInputException(dir + " has model_index.json but no " + part + "/ folder: download the whole pipeline repository");
                }
                models.add(dir.resolve(part));
            }
        } else {
            models.add(dir);
        }
        List<Imported> done = new ArrayList<>();
        for (Path m : models) {
            Imported one = importOne(m, out, repo);
            done.add(one);
            mark(out, one);
        }
        return done;
    }

    private static Imported importOne(Path dir, Path out, String repo) {
        Path configFile = dir.resolve("config.json");
        if (!Files.exists(configFile)) {
            throw new InvalidInputException(dir + " has no config.json: a Hugging Face model folder holds config.json beside its weights");
        }
        JsonObject json = readConfig(configFile);
        String source = repo != null ? repo : json.has("_name_or_path") ? json.get("_name_or_path").getAsString() : dir.getFileName().toString();
        try (TensorSource tensors = TensorSource.open(dir); NDManager manager = NDManager.newBaseManager(); Params params = Params.forLoading(manager)) {
            Path weights = tensors.path();
            List<String> names = tensors.names();
            String wrapper = HubNames.commonWrapper(names);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            names.forEach(n -> shapes.put(n.substring(wrapper.length()), tensors.info(n).shape()));
            ReleasedKind kind = kindOf(weights, shapes.keySet());
            HubConfig config = new HubConfig(configFile.toString(), json, shapes::get, new ArrayList<>(shapes.keySet()));
            Rng rng = new Rng(0);
            Object modelConfig;
            String ckptKind;
            String describe;
            switch (kind) {
                case DIT -> {
                    DiT.Config c = config.dit();
                    new DiT(params, c, rng);
                    modelConfig = c;
                    ckptKind = DitTraining.KIND;
                    describe = c.describe();
                }
                case PRIOR -> {
                    Sedd.Config c = config.prior();
                    new Sedd(params, c, rng);
                    modelConfig = c;
                    ckptKind = SeddTraining.KIND;
                    describe = c.describe();
                }
                case ENCODER -> {
                    SemEncoder.Config c = config.encoder();
                    new SemEncoder(params, c, rng);
                    modelConfig = c;
                    ckptKind = SemTraining.KIND;
                    describe = String.format(Locale.ROOT, "ViT (patch %d, width %d, %d blocks, %d heads, %d registers) with a SEM head of L %d × V %d",
                            c.patch(), c.dim(), c.depth(), c.heads(), c.registers(), c.length(), c.vocab());
                }
                case VAE -> {
                    AutoencoderKl.Config c = config.vae();
                    new AutoencoderKl(params, c, rng);
                    modelConfig = c;
                    ckptKind = TrainedDit.VAE_KIND;
                    describe = String.format(Locale.ROOT, "AutoencoderKL (widths %s, %d layers per block, %d latent channels, scaling %s)",
                            c.blockOutChannels(), c.layersPerBlock(), c.latentChannels(), c.scalingFactor());
                }
                default -> throw new IllegalStateException(kind.name());
            }
            HubLoader.Report report = HubLoader.load(params, kind, tensors);
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put(SOURCE_REPO, source);
            extra.put(SOURCE_FILES, Json.write(hashes(dir, weights)));
            extra.put(DROPPED, Json.write(new TreeMap<>(report.dropped())));
            Path file = out.resolve(kind.relativePath());
            if (kind == ReleasedKind.DIT) {
                extra.put(TrainedDit.ENCODER_SHA, ""); // the released encoder's codes; its dlc4j file is checked by shape, not hash
                linkVae(extra, file, out.resolve(ReleasedKind.VAE.relativePath()), ((DiT.Config) modelConfig).channels(), dir);
            }
            if (kind == ReleasedKind.ENCODER) {
                extra.put(TrainedEncoder.INPUT, TrainedEncoder.IMAGENET_224); // 224-px centre crops, ImageNet mean and std
            }
            Checkpoint.Meta meta = Checkpoint.Meta.current(ckptKind, Json.write(modelConfig), 0, source, 0, extra);
            createDirectories(file.getParent());
            new Checkpoint(meta, params.toHost("")).save(file);
            return new Imported(kind, file, source, describe, report.dropped());
        }
    }

    /**
     * Records the import in the model set's {@link ModelStore#RELEASED_MARKER}, which makes the folder a set of
     * imported models for {@code --models} and {@link org.dlc4j.Dlc#open}: each kind's file and source repository.
     */
    private static void mark(Path out, Imported one) {
        Path marker = out.resolve(ModelStore.RELEASED_MARKER);
        JsonObject json = Files.exists(marker) ? readConfig(marker) : new JsonObject();
        JsonObject entry = new JsonObject();
        entry.addProperty("file", one.kind().relativePath());
        entry.addProperty("repo", one.repo());
        entry.addProperty("model", one.describe());
        json.add(one.kind().name().toLowerCase(Locale.ROOT), entry);
        AtomicFiles.writeString(marker, Json.PRETTY.toJson(json) + "\n");
    }

    /** A latent DiT names the VAE of its model set (imported before it), which decodes its samples. */
    private static void linkVae(Map<String, String> extra, Path dit, Path vae, int channels, Path dir) {
        if (!Files.exists(vae)) {
            throw new InvalidInputException(dir + " is a DiT of " + channels + "-channel VAE latents, and " + vae + " holds no VAE to decode them:"
                    + " import the whole pipeline folder (with its vae/), or import the VAE into the same --out first");
        }
        extra.put(TrainedDit.VAE, dit.toAbsolutePath().getParent().relativize(vae.toAbsolutePath()).toString());
        extra.put(TrainedDit.VAE_SHA, Hashes.sha256(vae));
    }

    /** The kind of a released checkpoint, from the weights it holds. */
    static ReleasedKind kindOf(Path weights, java.util.Set<String> names) {
        if (names.contains("sem_embed.weight")) {
            return ReleasedKind.ENCODER;
        }
        if (names.contains("sem_embedder.embedding_table")) {
            return ReleasedKind.DIT;
        }
        if (names.contains("vocab_embed.embedding") && names.contains("sigma_map.mlp.0.weight")) {
            return ReleasedKind.PRIOR;
        }
        if (names.contains("decoder.conv_in.weight") && names.contains("post_quant_conv.weight")) {
            return ReleasedKind.VAE;
        }
        throw new InvalidInputException(weights + " is none of the released models dlc4j imports (SEM encoder, DLC DiT, SEDD prior, SD VAE): "
                + "its tensors include none of sem_embed.weight, sem_embedder.embedding_table, vocab_embed.embedding, decoder.conv_in.weight");
    }

    /** SHA-256 of config.json and of the weights (every shard of a sharded checkpoint). */
    private static Map<String, String> hashes(Path dir, Path weights) {
        Map<String, String> h = new TreeMap<>();
        h.put("config.json", Hashes.sha256(dir.resolve("config.json")));
        h.put(weights.getFileName().toString(), Hashes.sha256(weights));
        if (weights.getFileName().toString().endsWith(".index.json")) {
            JsonObject index = readConfig(weights);
            if (index.has("weight_map")) {
                for (var e : index.getAsJsonObject("weight_map").entrySet()) {
                    String shard = e.getValue().getAsString();
                    h.computeIfAbsent(shard, s -> Hashes.sha256(dir.resolve(s)));
                }
            }
        }
        return h;
    }

    private static JsonObject readConfig(Path file) {
        try {
            var e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) {
                throw new InvalidInputException(file + " is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw new DlcIoException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (com.google.gson.JsonParseException e) {
            throw new InvalidInputException(file + " is not valid JSON: " + e.getMessage());
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DlcIoException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
