package org.dlc4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.data.DlcFile;
import org.dlc4j.nn.Trainer;
import org.dlc4j.util.InvalidInputException;
import picocli.CommandLine.Option;

/** The flags of the models that learn from encoded codes, shared by dlc prior train and dlc text train. */
final class CodeTrainingOptions {
    @Option(names = "--codes", defaultValue = "out/codes/train.safetensors",
            description = "Training codes (dlc encode --split train --out FILE) (default: ${DEFAULT-VALUE}).")
    Path codesPath;

    @Option(names = "--heldout", description = "Held-out codes for the bits-per-token bound (default: out/codes/test.safetensors if present).")
    Path heldoutPath;

    @Option(names = "--epochs", description = "Passes over the codes (default: 20 for the prior, 10 for the text model).")
    Integer epochs;

    @Option(names = "--batch", description = "Codes per step (default: 128).")
    Integer batch;

    @Option(names = "--lr", description = "AdamW learning rate after warm-up (default: 3e-4, the SEDD reference's).")
    Double lr;

    @Option(names = "--warmup", description = "Linear warm-up steps (default: 500; the reference's 2,500 is for 1.5M steps).")
    Long warmup;

    @Option(names = "--eval-every", defaultValue = "0", description = "Held-out bits per token every N steps (default: at the end).")
    long evalEvery;

    @Option(names = "--limit", defaultValue = "0", description = "Train on the first N codes only (default: all).")
    int limit;

    @Option(names = "--resume", description = "Continue from --checkpoint if it exists.")
    boolean resume;

    @Option(names = "--init", paramLabel = "FILE", description = "Warm-start from this trained model of the same configuration when there is no"
            + " checkpoint to resume (e.g. the shipped model after a machine lost out/): weights and EMA from it, optimiser and step count afresh.")
    Path init;

    @Option(names = "--stop-at", description = "Stop at this step with a checkpoint (continue later with --resume).")
    Long stopAt;

    /** The training codes (the first --limit of them); a missing --init model is refused first, before any work. */
    DlcFile codes() {
        Trainer.requireWarmStart(init, "init");
        if (!Files.exists(codesPath)) {
            throw new InvalidInputException("codes " + codesPath + " not found: make them with dlc encode --split train --out " + codesPath);
        }
        DlcFile codes = DlcFile.read(codesPath);
        return limit > 0 ? codes.take(Math.min(limit, codes.count())) : codes;
    }

    /** --heldout, else the test codes beside the default training codes when they come from the same encoder. */
    DlcFile heldout(DlcFile codes) {
        DlcFile held;
        if (heldoutPath != null) {
            held = DlcFile.read(heldoutPath);
            if (!held.encoderSha().equals(codes.encoderSha())) {
                throw new InvalidInputException("the held-out codes " + heldoutPath + " come from another encoder than " + codesPath
                        + ": encode both with the same one");
            }
            return held;
        }
        Path implicit = Path.of("out", "codes", "test.safetensors");
        held = Files.exists(implicit) ? DlcFile.read(implicit) : null;
        if (held == null || !held.encoderSha().equals(codes.encoderSha()) || held.length() != codes.length() || held.vocab() != codes.vocab()) {
            System.err.println("no held-out codes of this encoder: bits per token not measured (pass --heldout FILE)");
            return null;
        }
        return held;
    }

    /** Refuses nonsense values of the shared flags, given the values the recipe resolved them to. */
    static void check(int epochs, int batch, double lr, long warmup, long evalEvery) {
        if (epochs < 1 || batch < 1 || !(lr > 0) || warmup < 0 || evalEvery < 0) {
            throw new InvalidInputException("--epochs and --batch must be ≥ 1, --lr > 0, --warmup and --eval-every ≥ 0");
        }
    }

    long until() {
        return stopAt != null ? stopAt : Long.MAX_VALUE;
    }
}
