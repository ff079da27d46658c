package org.dlc4j.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.ModelMismatchException;

/**
 * A dlc4j checkpoint: a safetensors file (so Python tools can open it) whose {@code __metadata__}
 * records what model it holds and how it was produced.
 */
public record Checkpoint(Meta meta, LinkedHashMap<String, HostTensor> tensors) {

    private static final String PREFIX = "dlc4j.";
    private static final String EXTRA_PREFIX = PREFIX + "extra.";

    /**
     * Provenance of a checkpoint. {@code kind} names the model family (e.g. "toy-mlp") and must not be
     * blank; other strings default to "" and {@code extra} to an empty map.
     */
    public record Meta(String kind, String configJson, long step, String dataset, long seed,
                       String commit, String command, Map<String, String> extra) {
        public Meta {
            if (kind == null || kind.isBlank()) {
                throw new IllegalArgumentException("checkpoint kind must not be blank");
            }
            configJson = Objects.requireNonNullElse(configJson, "");
            dataset = Objects.requireNonNullElse(dataset, "");
            commit = Objects.requireNonNullElse(commit, "");
            command = Objects.requireNonNullElse(command, "");
            extra = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(extra, Map.of())));
        }

        /** A Meta for the current run: commit and command come from {@link Provenance}. */
        public static Meta current(String kind, String configJson, long step, String dataset, long seed,
                                   Map<String, String> extra) {
            return new Meta(kind, configJson, step, dataset, seed, Provenance.commit(), Provenance.command(), extra);
        }

        Map<String, String> toMetadata() {
            var m = new LinkedHashMap<String, String>();
            m.put("format", "pt"); // what transformers/safetensors tooling expects to find
            m.put(PREFIX + "kind", kind);
            m.put(PREFIX + "configJson", configJson);
            m.put(PREFIX + "step", Long.toString(step));
            m.put(PREFIX + "dataset", dataset);
            m.put(PREFIX + "seed", Long.toString(seed));
            m.put(PREFIX + "commit", commit);
            m.put(PREFIX + "command", command);
            extra.forEach((k, v) -> m.put(EXTRA_PREFIX + k, v));
            return m;
        }

        static Meta fromMetadata(Path path, Map<String, String> m) {
            String kind = m.get(PREFIX + "kind");
            if (kind == null || kind.isBlank()) {
                throw new InvalidInputException(path + " is a safetensors file but not a dlc4j checkpoint (no dlc4j.kind metadata);"
                        + " pass a checkpoint written by dlc4j");
            }
            var extra = new LinkedHashMap<String, String>();
            m.forEach((k, v) -> {
                if (k.startsWith(EXTRA_PREFIX)) {
                    extra.put(k.substring(EXTRA_PREFIX.length()), v);
                }
            });
            return new Meta(kind, m.get(PREFIX + "configJson"), number(path, m, "step"), m.get(PREFIX + "dataset"),
                    number(path, m, "seed"), m.get(PREFIX + "commit"), m.get(PREFIX + "command"), extra);
        }

        private static long number(Path path, Map<String, String> m, String field) {
            String value = m.get(PREFIX + field);
            if (value == null) {
                return 0; // absent in hand-made checkpoints; 0 is the honest "not recorded"
            }
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(path + " has a corrupt dlc4j." + field + " value '" + IoErrors.oneLine(value)
                        + "' (expected an integer); use an earlier checkpoint");
            }
        }
    }

    public Checkpoint {
        Objects.requireNonNull(meta, "meta");
        tensors = new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors"));
    }

    /** Atomically replaces {@code path}: if writing fails, any previous checkpoint there stays intact. */
    public void save(Path path) {
        SafeTensors.write(path, tensors, meta.toMetadata());
    }

    public static Checkpoint load(Path path) {
        var contents = SafeTensors.read(path);
        return new Checkpoint(Meta.fromMetadata(path, contents.metadata()), contents.tensors());
    }

    /** Loads and checks the model kind in one step, for commands that need one specific model. */
    public static Checkpoint load(Path path, String expectedKind) {
        return load(path).requireKind(expectedKind, path);
    }

    public Checkpoint requireKind(String expectedKind, Path source) {
        if (!meta.kind().equals(expectedKind)) {
            throw new ModelMismatchException(source + " holds a '" + meta.kind() + "' model, but '" + expectedKind
                    + "' is needed: pass a " + expectedKind + " checkpoint");
        }
        return this;
    }

    /**
     * The model's configuration record, read from the metadata's JSON; a file without a readable one is refused
     * with {@code retrain} as the fix.
     */
    public <T> T config(Class<T> type, Path source, String what, String retrain) {
        T config;
        try {
            config = Json.read(meta.configJson(), type);
        } catch (RuntimeException e) {
            config = null;
        }
        if (config == null) {
            throw new InvalidInputException(source + " has no readable " + what + " config in its metadata; " + retrain);
        }
        return config;
    }

    public HostTensor tensor(String name, Path source) {
        var t = tensors.get(name);
        if (t == null) {
            throw new InvalidInputException("checkpoint " + source + " has no tensor '" + name
                    + "' (was it written by an older dlc4j?)");
        }
        return t;
    }
}
