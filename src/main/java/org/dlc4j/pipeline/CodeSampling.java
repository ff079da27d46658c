package org.dlc4j.pipeline;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.dlc4j.data.DlcFile;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.text.TextEncoder;
import org.dlc4j.text.TextToDlc;
import org.dlc4j.text.TrainedText;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/** Codes from the two models that write them, as DLC files tagged with the encoder whose codes they learned. */
public final class CodeSampling {
    private CodeSampling() {}

    /** The prior at {@code path}, refused with a message naming {@code parameter} when the file is missing. */
    public static TrainedPrior loadPrior(NDManager manager, Path path, String parameter) {
        if (!Files.exists(path)) {
            throw InvalidInputException.of(parameter, "the prior model " + path + " not found: train one or give another");
        }
        return TrainedPrior.load(manager, path);
    }

    /** The text-to-DLC model at {@code path}, refused with a message naming {@code parameter} when the file is missing. */
    public static TrainedText loadText(NDManager manager, Path path, String parameter) {
        if (!Files.exists(path)) {
            throw InvalidInputException.of(parameter, "text-to-DLC model " + path + " not found: train one or give another");
        }
        return TrainedText.load(manager, path);
    }

    /** {@code n} codes from the prior, drawn {@code batch} at a time with {@code seed}. */
    public static DlcFile fromPrior(TrainedPrior prior, int n, PriorSampler.Config c, int batch, long seed) {
        Sedd.Config mc = prior.model().config();
        int[] tokens = prior.sample(n, c, batch, new Rng(seed));
        return new DlcFile(tokens, mc.length(), mc.vocab(), null, null, 1.0, prior.encoderSha(), "prior " + prior.sha256().substring(0, 12));
    }

    /** {@code n} codes for one prompt from the text-to-DLC model (which loads the MiniLM text encoder). */
    public static DlcFile fromPrompt(TrainedText model, String prompt, int n, Unmasking.Config c, int batch, long seed) {
        TextToDlc.Config mc = model.model().config();
        try (TextEncoder encoder = TextEncoder.load()) {
            int[] tokens = model.sample(encoder, Collections.nCopies(n, prompt), c, batch, new Rng(seed));
            return new DlcFile(tokens, mc.length(), mc.vocab(), null, null, 1.0, model.encoderSha(), "text: " + prompt);
        }
    }
}
