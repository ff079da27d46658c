package org.dlc4j.pipeline;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.ModelMismatchException;

/**
 * The checks that keep a chain of models honest: a DiT reads codes of one shape L×V, from one encoder (by SHA-256),
 * and is conditioned on one kind of thing. Every path that feeds a DiT goes through them, so a mismatch is refused
 * with a message before any sampling.
 */
public final class Compatibility {
    private Compatibility() {}

    /**
     * The DiT at {@code path}, refused unless it exists and is conditioned on {@code kind}; {@code parameter} names the
     * input that gave the path (null: none), so that a front end can point at it.
     */
    public static TrainedDit dit(NDManager manager, Path path, Conditioning kind, String parameter) {
        String cond = kind.name().toLowerCase(Locale.ROOT);
        if (!Files.exists(path)) {
            throw InvalidInputException.of(parameter, "DiT model " + path + " not found: train one conditioned on " + cond + " or give another");
        }
        TrainedDit dit = TrainedDit.load(manager, path);
        if (dit.model().config().conditioning() != kind) {
            dit.close();
            throw new ModelMismatchException(path + " is conditioned on " + dit.model().config().conditioning().name().toLowerCase(Locale.ROOT)
                    + ", not " + cond + ": use a DiT trained on " + cond);
        }
        return dit;
    }

    /**
     * The DLC-conditioned DiT at {@code path}, refused unless it reads codes of {@code length}×{@code vocab} from the
     * encoder {@code encoderSha}: the codes that {@code source} ("the prior", "the text model") writes.
     */
    public static TrainedDit dlcDit(NDManager manager, Path path, int length, int vocab, String encoderSha, String source, String parameter) {
        TrainedDit dit = dit(manager, path, Conditioning.DLC, parameter);
        try {
            DiT.Config c = dit.model().config();
            if (length != c.length() || vocab != c.vocab()) {
                throw new ModelMismatchException(source + " writes " + length + "×" + vocab + " codes but the DiT reads " + c.length() + "×"
                        + c.vocab() + ": use a " + source.replace("the ", "") + " and a DiT trained on the same encoder's codes");
            }
            encoder(dit, encoderSha, source + "'s codes");
            return dit;
        } catch (RuntimeException e) {
            dit.close();
            throw e;
        }
    }

    /** Refuses codes ({@code what}) whose L×V is not the DiT's. */
    public static void codeShape(TrainedDit dit, String what, int length, int vocab) {
        DiT.Config c = dit.model().config();
        if (length != c.length() || vocab != c.vocab()) {
            throw new ModelMismatchException(what + " are " + length + "×" + vocab + " codes but the DiT reads " + c.length() + "×" + c.vocab()
                    + ": use codes from the encoder it was trained with");
        }
    }

    /** Refuses codes or vectors ({@code what}) from an encoder other than the DiT's own (when both hashes are known). */
    public static void encoder(TrainedDit dit, String sha, String what) {
        if (!dit.encoderSha().isEmpty() && !sha.isEmpty() && !dit.encoderSha().equals(sha)) {
            throw new ModelMismatchException(what + " (sha256 " + shortSha(sha) + "…) is not the encoder this DiT was trained with ("
                    + shortSha(dit.encoderSha()) + "…): use that encoder's codes");
        }
    }

    private static String shortSha(String sha) {
        return sha.substring(0, Math.min(12, sha.length()));
    }
}
