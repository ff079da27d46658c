package org.dlc4j.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dlc4j.io.Checkpoint;
import org.dlc4j.io.DType;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.TensorInfo;
import org.dlc4j.io.TensorSource;
import org.dlc4j.util.InvalidInputException;

/**
 * Discrete Latent Codes of a set of images, as written by {@code dlc encode}: a safetensors file holding
 * {@code tokens} int32 [N, L] (each in 0..V−1), {@code labels} int64 [N] when known, and optionally {@code probs}
 * float32 [N, L, V] (the SEM distributions at temperature {@code tau}), with L, V, τ, the encoder's hash and the
 * source data set in its metadata.
 */
public record DlcFile(int[] tokens, int length, int vocab, int[] labels, float[] probs, double tau, String encoderSha, String source) {
    public static final String KIND = "dlc-codes";

    public DlcFile {
        if (length < 1 || vocab < 1 || tokens.length % length != 0) {
            throw new IllegalArgumentException(tokens.length + " tokens are not codes of length " + length);
        }
        int n = tokens.length / length;
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " codes");
        }
        if (probs != null && probs.length != tokens.length * vocab) {
            throw new IllegalArgumentException(probs.length + " probabilities for " + n + " codes of " + length + "×" + vocab);
        }
    }

    public int count() {
        return tokens.length / length;
    }

    /** The first {@code n} codes (with their labels and distributions). */
    public DlcFile take(int n) {
        if (n < 0 || n > count()) {
            throw new IllegalArgumentException("cannot take " + n + " of " + count() + " codes");
        }
        return new DlcFile(Arrays.copyOf(tokens, n * length), length, vocab, labels == null ? null : Arrays.copyOf(labels, n),
                probs == null ? null : Arrays.copyOf(probs, n * length * vocab), tau, encoderSha, source);
    }

    /** Code {@code i}: its L tokens. */
    /** The labels of codes {@code idx} (the file must be labelled). */
    public int[] labelsOf(int[] idx) {
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = labels[idx[i]];
        }
        return out;
    }

    public int[] code(int i) {
        return Arrays.copyOfRange(tokens, i * length, (i + 1) * length);
    }

    public void write(Path path) {
        var tensors = new LinkedHashMap<String, HostTensor>();
        tensors.put("tokens", HostTensor.ofInts(new long[] {count(), length}, tokens));
        if (labels != null) {
            tensors.put("labels", HostTensor.ofLongs(new long[] {count()}, Arrays.stream(labels).asLongStream().toArray()));
        }
        if (probs != null) {
            tensors.put("probs", HostTensor.ofFloats(new long[] {count(), length, vocab}, probs));
        }
        var meta = Checkpoint.Meta.current(KIND, "", 0, source, 0, Map.of("length", Integer.toString(length),
                "vocab", Integer.toString(vocab), "tau", Double.toString(tau), "encoder_sha256", encoderSha));
        new Checkpoint(meta, tensors).save(path);
    }

    /**
     * Codes written by the authors' Python tools ({@code torch.save} of an integer tensor [N, L]: their text-to-DLC
     * {@code chat_sem.py}, their SEDD {@code run_sample.py}), for models whose codes have V tokens; the encoder is not
     * recorded there, so none is checked. A file holding anything but one such tensor is refused.
     */
    public static DlcFile fromTorch(Path path, int vocab) {
        try (TensorSource source = TensorSource.open(path)) {
            if (source.names().size() != 1) {
                throw new InvalidInputException(path + " holds " + source.names().size() + " tensors; codes saved by torch.save are one integer"
                        + " tensor [N, L]");
            }
            TensorInfo t = source.info(source.names().get(0));
            long[] shape = t.shape();
            if (t.floating() || shape.length < 1 || shape.length > 2 || t.numel() > Integer.MAX_VALUE) {
                throw new InvalidInputException(path + " holds a " + t.dtype() + " tensor of shape " + Arrays.toString(shape)
                        + "; codes saved by torch.save are one integer tensor [N, L]");
            }
            long[] values = source.readLongs(t.name(), 0, (int) t.numel());
            int length = (int) shape[shape.length - 1];
            int[] tokens = new int[values.length];
            for (int i = 0; i < values.length; i++) {
                if (values[i] < 0 || values[i] >= vocab) {
                    throw new InvalidInputException(path + ": token " + values[i] + " at position " + i % length + " of code " + i / length
                            + " is outside 0.." + (vocab - 1) + ", the codes these models read");
                }
                tokens[i] = (int) values[i];
            }
            return new DlcFile(tokens, length, vocab, null, null, 1.0, "", path.getFileName().toString());
        }
    }

    /** Whether {@code path} is a PyTorch file (torch.save's zip), rather than a dlc4j DLC file. */
    public static boolean isTorch(Path path) {
        try (var in = java.nio.file.Files.newInputStream(path)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == 'P' && head[1] == 'K';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Reads and validates a DLC file: shapes agree with its L and V, and every token is in range. */
    public static DlcFile read(Path path) {
        Checkpoint ckpt = Checkpoint.load(path, KIND);
        Map<String, String> extra = ckpt.meta().extra();
        int length = intField(path, extra, "length");
        int vocab = intField(path, extra, "vocab");
        HostTensor t = ckpt.tensor("tokens", path);
        if (t.dtype() != DType.I32 || t.shape().length != 2 || t.shape()[1] != length) {
            throw new InvalidInputException(path + ": 'tokens' is " + t.dtype() + " " + Arrays.toString(t.shape()) + " but the file says L = " + length
                    + "; the file is damaged, encode the images again");
        }
        int[] tokens = t.ints();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new InvalidInputException(path + ": token " + tokens[i] + " of code " + i / length + " at position " + i % length
                        + " is outside 0.." + (vocab - 1) + "; the file is damaged, encode the images again");
            }
        }
        int[] labels = null;
        if (ckpt.tensors().containsKey("labels")) {
            labels = ckpt.tensor("labels", path).intValues();
        }
        float[] probs = ckpt.tensors().containsKey("probs") ? ckpt.tensor("probs", path).floats() : null;
        try {
            return new DlcFile(tokens, length, vocab, labels, probs, Double.parseDouble(extra.getOrDefault("tau", "NaN")),
                    extra.getOrDefault("encoder_sha256", ""), ckpt.meta().dataset());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(path + ": " + e.getMessage() + "; the file is damaged, encode the images again");
        }
    }

    private static int intField(Path path, Map<String, String> extra, String key) {
        try {
            return Integer.parseInt(extra.get(key));
        } catch (RuntimeException e) {
            throw new InvalidInputException(path + " has no valid '" + key + "' in its metadata; it was not written by dlc4j's encoder");
        }
    }
}
