package org.dlc4j.spark;

import ai.djl.ndarray.NDManager;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.io.IOException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.dlc4j.io.Hashes;
import org.dlc4j.util.DlcIoException;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.ModelMismatchException;

/**
 * The models the tasks need, each loaded once per executor JVM and kept for its later tasks. A task reads a model at the
 * path the driver was given (every executor must see it there, as with Spark's own input paths) or, shipped, the bytes
 * the driver broadcast; either way the executor checks its file is the driver's by SHA-256, so that no executor computes
 * with another model.
 */
final class Models {
    private static final Map<String, Object> LOADED = new ConcurrentHashMap<>();
    private static NDManager manager;

    private Models() {}

    /**
     * A model file as the driver names it.
     *
     * @param path    the path the driver was given
     * @param sha256  its hash on the driver
     * @param shipped its bytes, broadcast to the executors ({@code --ship-models}); null: each reads {@code path}
     */
    record Ref(String path, String sha256, Broadcast<byte[]> shipped) implements Serializable {
        /** Checks the file on the driver and, when {@code ship}, broadcasts it to the executors. */
        static Ref of(SparkSession spark, Path file, String what, boolean ship) {
            if (!Files.isRegularFile(file)) {
                throw InvalidInputException.of(what, what + " model " + file + " not found");
            }
            Broadcast<byte[]> bytes = null;
            if (ship) {
                try {
                    bytes = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new DlcIoException("cannot read " + file + ": " + e.getMessage(), e);
                }
            }
            return new Ref(file.toString(), Hashes.sha256(file), bytes);
        }

        /** Where this executor finds the file: the path given, or its shipped copy written once to a temporary file. */
        Path local() {
            if (shipped == null) {
                return Path.of(path);
            }
            try {
                Path copy = Path.of(System.getProperty("java.io.tmpdir"), "dlc4j-model-" + sha256 + ".safetensors");
                if (!Files.exists(copy)) {
                    Path tmp = Files.createTempFile(copy.getParent(), "dlc4j-model-", ".part");
                    Files.write(tmp, shipped.value());
                    Files.move(tmp, copy, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                return copy;
            } catch (IOException e) {
                throw new DlcIoException("cannot write the shipped model " + path + " on executor " + host() + ": " + e.getMessage(), e);
            }
        }
    }

    /** The model {@code ref} names, loaded by {@code loader} on first use in this JVM. */
    @SuppressWarnings("unchecked")
    static synchronized <T> T get(Ref ref, BiFunction<NDManager, Path, T> loader) {
        Object model = LOADED.get(ref.sha256());
        if (model == null) {
            Path file = ref.local();
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("model file " + ref.path() + " is not on executor " + host() + " (working folder "
                        + Path.of("").toAbsolutePath() + "): give a path every executor reads (absolute, on storage they share), or --ship-models");
            }
            String sha = Hashes.sha256(file);
            if (!sha.equals(ref.sha256())) {
                throw new ModelMismatchException("model file " + ref.path() + " on executor " + host() + " is not the driver's (SHA-256 "
                        + sha.substring(0, 12) + "…, the driver's " + ref.sha256().substring(0, 12) + "…): copy the same file to every node");
            }
            if (manager == null) {
                manager = NDManager.newBaseManager();
            }
            model = loader.apply(manager, file);
            LOADED.put(ref.sha256(), model);
        }
        return (T) model;
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "(unknown host)";
        }
    }
}
