package org.dlc4j.pipeline;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.dlc4j.compose.Composition.Method;
import org.dlc4j.compose.Source;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.Conditioning;
import org.dlc4j.dit.DiT;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.ModelMismatchException;
import org.dlc4j.util.Rng;

/**
 * The DiTs compositions are decoded with, checked against the sources: the DLC-conditioned one for code and
 * distribution mixing, the SEM-conditioned one for embedding averaging (each loaded only when a method needs it), and
 * the encoder that turns image sources into what they read.
 */
public record Decoders(Path encoder, TrainedDit dlc, TrainedDit sem) implements AutoCloseable {
    /**
     * Loads the DiTs {@code methods} need (null paths: the store's) and picks the encoder (null: the one the DLC DiT, else
     * the SEM DiT, was trained on). Front ends call the path inputs "encoder", "dit" and "sem-dit".
     */
    public static Decoders load(NDManager manager, ModelStore store, Path encoder, Path dlcDit, Path semDit, Set<Method> methods) {
        boolean codes = methods.stream().anyMatch(Method::makesCodes);
        TrainedDit dlc = codes ? Compatibility.dit(manager, dlcDit != null ? dlcDit : store.trainedDit(Conditioning.DLC), Conditioning.DLC, "dit") : null;
        TrainedDit sem = null;
        try {
            sem = methods.contains(Method.EMBEDDING)
                    ? Compatibility.dit(manager, semDit != null ? semDit : store.trainedDit(Conditioning.SEM), Conditioning.SEM, "sem-dit") : null;
            Path chosen = encoder != null ? encoder : store.encoderFor(dlc != null ? dlc.encoderSha() : sem != null ? sem.encoderSha() : "");
            if (!Files.exists(chosen)) {
                throw InvalidInputException.of("encoder", "SEM encoder " + chosen + " not found: give one");
            }
            return new Decoders(chosen, dlc, sem);
        } catch (RuntimeException e) {
            for (TrainedDit opened : new TrainedDit[] {dlc, sem}) {
                if (opened != null) {
                    opened.close();
                }
            }
            throw e;
        }
    }

    public int imageSize() {
        return (dlc != null ? dlc : sem).output().image();
    }

    /** The DiT that decodes compositions of this method. */
    public TrainedDit dit(Method m) {
        return m.makesCodes() ? dlc : sem;
    }

    /** Images for these composed conditions, after checking the sources speak the chosen DiT's codes or vectors. */
    public float[] sample(NDManager manager, Method m, List<Source> sources, Condition cond, DitSampling.Options options, Rng rng) {
        TrainedDit dit = dit(m);
        DiT.Config c = dit.model().config();
        for (Source s : sources) {
            Compatibility.encoder(dit, s.encoderSha(), s.name());
            if (m.makesCodes()) {
                Compatibility.codeShape(dit, "the codes of " + s.name(), s.length(), s.vocab());
            }
        }
        if (!m.makesCodes() && cond.vectors().length / cond.count() != c.vectorDim()) {
            throw new ModelMismatchException("the SEM vectors have " + cond.vectors().length / cond.count() + " entries but the DiT reads "
                    + c.vectorDim() + ": use the encoder it was trained with");
        }
        return dit.sample(manager, cond, options, rng);
    }

    @Override
    public void close() {
        if (dlc != null) {
            dlc.close();
        }
        if (sem != null) {
            sem.close();
        }
    }
}
