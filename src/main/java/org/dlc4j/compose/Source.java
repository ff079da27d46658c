package org.dlc4j.compose;

import java.util.ArrayList;
import java.util.List;
import org.dlc4j.data.DlcFile;
import org.dlc4j.data.ImageDataset;
import org.dlc4j.sem.TrainedEncoder;
import org.dlc4j.util.InvalidInputException;

/**
 * One thing to compose: its code (L tokens out of V), and when it came from an image, the SEM distributions at the
 * mixing temperature [L·V] and the continuous SEM vector; {@code label} is its class, −1 when unknown.
 */
public record Source(String name, int length, int vocab, int[] code, float[] probs, float[] sem, int label, String encoderSha) {
    public Source {
        encoderSha = encoderSha == null ? "" : encoderSha;
        if (code.length != length) {
            throw new IllegalArgumentException("code of " + code.length + " tokens, expected " + length);
        }
        for (int t : code) {
            if (t < 0 || t >= vocab) {
                throw new InvalidInputException(name + " has token " + t + " outside 0.." + (vocab - 1) + ": it is not a code of this vocabulary");
            }
        }
    }

    /**
     * Each image's code and SEM vector (at the encoder's own temperature, as the DiTs read them) and its SEM
     * distributions at {@code tau}, for distribution mixing.
     */
    public static List<Source> encode(TrainedEncoder encoder, ImageDataset images, List<String> names, double tau) {
        var c = encoder.config();
        boolean ownTau = tau == c.tau();
        TrainedEncoder.Encoded own = encoder.encode(images, c.tau(), ownTau, true, 256);
        // Tokens are argmaxes, the same at any τ; only the distributions need a second pass at another temperature.
        float[] probs = ownTau ? own.probs() : encoder.encode(images, tau, true, false, 256).probs();
        int lv = c.length() * c.vocab();
        List<Source> out = new ArrayList<>();
        for (int i = 0; i < images.count(); i++) {
            out.add(new Source(names.get(i), c.length(), c.vocab(), java.util.Arrays.copyOfRange(own.tokens(), i * c.length(), (i + 1) * c.length()),
                    java.util.Arrays.copyOfRange(probs, i * lv, (i + 1) * lv), java.util.Arrays.copyOfRange(own.sem(), i * c.dim(), (i + 1) * c.dim()),
                    images.labels() != null ? images.labels()[i] : -1, encoder.sha256()));
        }
        return out;
    }

    /** Code i of a DLC file (its distributions too, when the file holds them at its τ). */
    public static Source ofCode(DlcFile file, int i, String name) {
        if (i < 0 || i >= file.count()) {
            throw new InvalidInputException(name + ": index " + i + " is outside the file's " + file.count() + " codes (0.." + (file.count() - 1) + ")");
        }
        int lv = file.length() * file.vocab();
        float[] probs = file.probs() != null ? java.util.Arrays.copyOfRange(file.probs(), i * lv, (i + 1) * lv) : null;
        return new Source(name, file.length(), file.vocab(), file.code(i), probs, null, file.labels() != null ? file.labels()[i] : -1,
                file.encoderSha());
    }

    /** The first source, after checking that all share one L×V (and, where recorded, one encoder). */
    static Source requireCompatible(List<Source> sources) {
        Source first = sources.get(0);
        for (Source s : sources) {
            if (s.length != first.length || s.vocab != first.vocab) {
                throw new InvalidInputException(first.name + " is a " + first.length + "×" + first.vocab + " code but " + s.name + " is "
                        + s.length + "×" + s.vocab + ": compose codes of one encoder");
            }
            if (!s.encoderSha.isEmpty() && !first.encoderSha.isEmpty() && !s.encoderSha.equals(first.encoderSha)) {
                throw new InvalidInputException(first.name + " and " + s.name + " were encoded by different SEM encoders: compose codes of one encoder");
            }
        }
        return first;
    }
}
