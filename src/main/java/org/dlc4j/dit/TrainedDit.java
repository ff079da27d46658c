package org.dlc4j.dit;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.dlc4j.nn.ModelFile;
import org.dlc4j.nn.Params;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/**
 * A trained DiT read from its file, with what it was trained against: the SHA-256 of the SEM encoder whose codes or
 * vectors condition it (empty for the unconditional and class-conditional models), and how many training images it
 * has seen (0 when not recorded).
 */
public record TrainedDit(DiT model, Params params, String encoderSha, String sha256, long imagesSeen, double trainSeconds) implements AutoCloseable {
    public static final String ENCODER_SHA = "encoder_sha256";
    public static final String IMAGES_SEEN = "images_seen";
    /** Wall-clock seconds of training behind the weights, summed over resumed runs. */
    public static final String TRAIN_SECONDS = "train_seconds";

    public static TrainedDit load(NDManager manager, Path path) {
        var file = ModelFile.load(manager, path, DitTraining.KIND, DiT.Config.class, "DiT", (params, config) -> {
            if (config.conditioning() == null) {
                throw new InvalidInputException(path + " has no readable DiT config in its metadata (no conditioning); train it again");
            }
            return new DiT(params, config, new Rng(0));
        });
        var extra = file.extra();
        return new TrainedDit(file.model(), file.params(), extra.getOrDefault(ENCODER_SHA, ""), file.sha256(),
                Long.parseLong(extra.getOrDefault(IMAGES_SEEN, "0")), Double.parseDouble(extra.getOrDefault(TRAIN_SECONDS, "NaN")));
    }

    /** Images [N, C, S, S] in [−1, 1] for these conditions (see {@link DitSampling#sample}). */
    public float[] sample(Condition conditions, DitSampling.Options options, Rng rng) {
        return DitSampling.sample(params.manager(), model, conditions, options, rng);
    }

    @Override
    public void close() {
        params.close();
    }
}
