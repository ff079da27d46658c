package org.dlc4j.eval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.HostTensor;
import org.dlc4j.util.Home;
import org.dlc4j.util.InvalidInputException;

/**
 * Gaussian statistics of a reference set in the feature network's spaces (overall, spatial, and per class), the
 * precomputed half of FD, sFD and per-class FD. Stored beside the network with the network's hash, so stats made
 * by another network are never mixed with its features.
 */
public record ReferenceStats(String name, int count, GaussianStats pool, GaussianStats spatial, List<GaussianStats> perClass,
                             String featureSha) {
    public static final String KIND = "reference-stats";

    public static Path defaultPath(String split) {
        return Home.models().resolve("eval").resolve("fmnist-" + split + "-stats.safetensors");
    }

    /** Per-class entries are null for classes with fewer than two images (no covariance). */
    public static ReferenceStats compute(String name, FeatureSet f, String featureSha, NDManager manager) {
        List<GaussianStats> perClass = new ArrayList<>();
        if (f.labels() != null) {
            for (int c = 0; c < f.classes(); c++) {
                int[] idx = f.indicesOf(c);
                perClass.add(idx.length < 2 ? null : GaussianStats.of(f.pool().select(idx), manager));
            }
        }
        return new ReferenceStats(name, f.size(), GaussianStats.of(f.pool(), manager), GaussianStats.of(f.spatial(), manager),
                perClass, featureSha);
    }

    public void save(Path path) {
        var tensors = new LinkedHashMap<String, HostTensor>();
        tensors.putAll(pool.toTensors("pool."));
        tensors.putAll(spatial.toTensors("spatial."));
        for (int c = 0; c < perClass.size(); c++) {
            if (perClass.get(c) != null) {
                tensors.putAll(perClass.get(c).toTensors("class." + c + "."));
            }
        }
        var meta = Checkpoint.Meta.current(KIND, "", 0, name, 0, Map.of("feature_sha256", featureSha,
                "count", Integer.toString(count), "classes", Integer.toString(perClass.size())));
        new Checkpoint(meta, tensors).save(path);
    }

    /** The stored stats if they were made by the network with hash {@code featureSha}, else empty. */
    public static Optional<ReferenceStats> loadIfMadeBy(Path path, String featureSha) {
        Checkpoint ckpt = Checkpoint.load(path, KIND);
        return madeBy(ckpt).equals(featureSha) ? Optional.of(of(ckpt)) : Optional.empty();
    }

    /** Loads stats and checks they were made by the network with hash {@code featureSha}. */
    public static ReferenceStats load(Path path, String featureSha) {
        Checkpoint ckpt = Checkpoint.load(path, KIND);
        String made = madeBy(ckpt);
        if (!made.equals(featureSha)) {
            throw new InvalidInputException(path + " was computed with another feature network (" + abbrev(made) + ", not " + abbrev(featureSha)
                    + "): recompute the reference statistics with the pinned network");
        }
        return of(ckpt);
    }

    private static String madeBy(Checkpoint ckpt) {
        return ckpt.meta().extra().getOrDefault("feature_sha256", "");
    }

    private static ReferenceStats of(Checkpoint ckpt) {
        Map<String, HostTensor> t = ckpt.tensors();
        int classes = Integer.parseInt(ckpt.meta().extra().getOrDefault("classes", "0"));
        List<GaussianStats> perClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            perClass.add(t.containsKey("class." + c + ".mean") ? GaussianStats.fromTensors(t, "class." + c + ".") : null);
        }
        return new ReferenceStats(ckpt.meta().dataset(), Integer.parseInt(ckpt.meta().extra().getOrDefault("count", "0")),
                GaussianStats.fromTensors(t, "pool."), GaussianStats.fromTensors(t, "spatial."), perClass, madeBy(ckpt));
    }

    private static String abbrev(String sha) {
        return sha.isEmpty() ? "unknown" : sha.substring(0, Math.min(12, sha.length())) + "…";
    }
}
