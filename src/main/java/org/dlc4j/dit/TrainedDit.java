package org.dlc4j.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.io.Hashes;
import org.dlc4j.nn.ModelFile;
import org.dlc4j.nn.Params;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.ModelMismatchException;
import org.dlc4j.util.Rng;
import org.dlc4j.vae.AutoencoderKl;

/**
 * A trained DiT read from its file, with what it was trained against: the SHA-256 of the SEM encoder whose codes or
 * vectors condition it (empty for the unconditional and class-conditional models), and how many training images it
 * has seen (0 when not recorded). A DiT of latents (the paper's, on Stable Diffusion VAE latents) names its VAE in its
 * metadata and is loaded with it: it draws latents and returns the VAE's decoded pictures.
 *
 * @param vae the VAE a latent DiT's samples are decoded with; null for a DiT of pixels
 */
public record TrainedDit(DiT model, Params params, String encoderSha, String sha256, long imagesSeen, double trainSeconds,
                         AutoencoderKl vae) implements AutoCloseable {
    public static final String ENCODER_SHA = "encoder_sha256";
    public static final String IMAGES_SEEN = "images_seen";
    /** Wall-clock seconds of training behind the weights, summed over resumed runs. */
    public static final String TRAIN_SECONDS = "train_seconds";
    /** A latent DiT's VAE: its file, relative to the DiT's folder, and the file's SHA-256. */
    public static final String VAE = "vae";
    public static final String VAE_SHA = "vae_sha256";
    /** The checkpoint kind of an imported VAE. */
    public static final String VAE_KIND = "vae";

    public static TrainedDit load(NDManager manager, Path path) {
        var file = ModelFile.load(manager, path, DitTraining.KIND, DiT.Config.class, "DiT", (params, config) -> {
            if (config.conditioning() == null) {
                throw new InvalidInputException(path + " has no readable DiT config in its metadata (no conditioning); train it again");
            }
            return new DiT(params, config, new Rng(0));
        });
        var extra = file.extra();
        AutoencoderKl vae = null;
        try {
            vae = extra.containsKey(VAE) ? loadVae(manager, path, extra.get(VAE), extra.getOrDefault(VAE_SHA, "")) : null;
        } catch (RuntimeException e) {
            file.params().close();
            throw e;
        }
        return new TrainedDit(file.model(), file.params(), extra.getOrDefault(ENCODER_SHA, ""), file.sha256(),
                Long.parseLong(extra.getOrDefault(IMAGES_SEEN, "0")), Double.parseDouble(extra.getOrDefault(TRAIN_SECONDS, "NaN")), vae);
    }

    private static AutoencoderKl loadVae(NDManager manager, Path dit, String relative, String sha) {
        Path file = dit.toAbsolutePath().getParent().resolve(relative).normalize();
        if (!Files.exists(file)) {
            throw new InvalidInputException(dit + " draws VAE latents and decodes them with " + file + ", which is missing: import the"
                    + " pipeline's vae/ folder too (dlc import hf)");
        }
        if (!sha.isEmpty() && !sha.equals(Hashes.sha256(file))) {
            throw new ModelMismatchException(file + " is not the VAE " + dit + " was imported with (SHA-256 differs): import the pipeline again");
        }
        return ModelFile.load(manager, file, VAE_KIND, AutoencoderKl.Config.class, "VAE", (p, c) -> new AutoencoderKl(p, c, new Rng(0))).model();
    }

    /** Whether this DiT draws VAE latents rather than pixels. */
    public boolean latent() {
        return vae != null;
    }

    /**
     * The geometry of the pictures it draws: the model's own for a DiT of pixels; for a latent DiT, its config at the
     * VAE's side (8 × the latent's) and channels.
     */
    public DiT.Config output() {
        DiT.Config c = model.config();
        return vae == null ? c : c.forImages(c.image() * vae.config().downsampling(), vae.config().outChannels());
    }

    /** Pictures [N, C, S, S] in [−1, 1] for these conditions (see {@link DitSampling#sample}), on the model's manager. */
    public float[] sample(Condition conditions, DitSampling.Options options, Rng rng) {
        return sample(params.manager(), conditions, options, rng);
    }

    /**
     * Pictures [N, C, S, S] in [−1, 1] for these conditions. A latent DiT samples as the authors' pipeline does, without
     * clipping its x̂₀ (latents have no [−1, 1] range), then decodes each batch with its VAE.
     */
    public float[] sample(NDManager manager, Condition conditions, DitSampling.Options options, Rng rng) {
        if (vae == null) {
            return DitSampling.sample(manager, model, conditions, options, rng);
        }
        var unclipped = new DitSampling.Options(options.sampler().withClipDenoised(false), options.scale(), options.tMax(), options.batch());
        float[] latents = DitSampling.latents(manager, model, conditions, unclipped, rng);
        DiT.Config c = model.config();
        DiT.Config out = output();
        int per = c.channels() * c.image() * c.image();
        int outPer = out.channels() * out.image() * out.image();
        int n = latents.length / per;
        float[] pictures = new float[n * outPer];
        for (int start = 0; start < n; start += options.batch()) {
            int count = Math.min(options.batch(), n - start);
            try (NDManager scope = manager.newSubManager()) {
                float[] chunk = new float[count * per];
                System.arraycopy(latents, start * per, chunk, 0, chunk.length);
                NDArray z = scope.create(chunk, new Shape(count, c.channels(), c.image(), c.image()));
                NDArray x = vae.decodeLatents(z).clip(-1f, 1f);
                System.arraycopy(x.toFloatArray(), 0, pictures, start * outPer, count * outPer);
            }
        }
        return pictures;
    }

    @Override
    public void close() {
        params.close();
        if (vae != null) {
            vae.params().close();
        }
    }
}
