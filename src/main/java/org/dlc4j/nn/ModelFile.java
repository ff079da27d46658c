package org.dlc4j.nn;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.Hashes;

/**
 * A trained model read from its checkpoint: the one loading path of every model kind (encoder, DiT, prior, text model,
 * feature network). It hashes the file, refuses a checkpoint of another kind or without a readable config, builds the
 * model on fresh parameters and loads its weights, keeping the metadata the wrapper reads (encoder hash, images seen).
 *
 * @param extra the checkpoint's free-form metadata ({@code dlc4j.extra})
 */
public record ModelFile<M>(M model, Params params, Map<String, String> extra, String sha256) {
    /**
     * Loads the {@code kind} checkpoint at {@code path}; {@code build} makes the model from its parameters and config
     * (and may refuse a config it cannot use). {@code what} names the model in messages ("DiT", "SEDD prior").
     */
    public static <C, M> ModelFile<M> load(NDManager manager, Path path, String kind, Class<C> configType, String what,
            BiFunction<Params, C, M> build) {
        String sha = Hashes.sha256(path);
        Checkpoint ckpt = Checkpoint.load(path, kind);
        C config = ckpt.config(configType, path, what, "train it again");
        Params params = Params.forLoading(manager);
        try {
            M model = build.apply(params, config);
            params.load(ckpt.tensors(), "", path);
            return new ModelFile<>(model, params, ckpt.meta().extra(), sha);
        } catch (RuntimeException e) {
            params.close();
            throw e;
        }
    }
}
