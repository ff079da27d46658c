package org.dlc4j.dit;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.Hashes;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;

/**
 * A trained DiT read from its file, with what it was trained against: the SHA-256 of the SEM encoder whose codes or
 * vectors condition it (empty for the unconditional and class-conditional models), and how many training images it
 * has seen (0 when not recorded).
 */
public record TrainedDit(DiT model, Params params, String encoderSha, String sha256, long imagesSeen) implements AutoCloseable {
    public static final String ENCODER_SHA = "encoder_sha256";
    public static final String IMAGES_SEEN = "images_seen";

    public static TrainedDit load(NDManager manager, Path path) {
        String sha = Hashes.sha256(path);
        Checkpoint ckpt = Checkpoint.load(path, DitTraining.KIND);
        DiT.Config config = ckpt.config(DiT.Config.class, path, "DiT", "train it again with dlc dit train");
        if (config.conditioning() == null) {
            throw new InvalidInputException(path + " has no readable DiT config in its metadata (no conditioning); train it again with dlc dit train");
        }
        Params params = new Params(manager);
        DiT model = new DiT(params, config, new Rng(0));
        params.load(ckpt.tensors(), "", path);
        var extra = ckpt.meta().extra();
        return new TrainedDit(model, params, extra.getOrDefault(ENCODER_SHA, ""), sha, Long.parseLong(extra.getOrDefault(IMAGES_SEEN, "0")));
    }

    @Override
    public void close() {
        params.close();
    }
}
