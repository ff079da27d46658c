package org.dlc4j.prior;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.nio.file.Path;
import org.dlc4j.diffusion.discrete.Absorbing;
import org.dlc4j.diffusion.discrete.LogLinearNoise;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.nn.ModelFile;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;

/**
 * A trained SEDD prior read from its file, with the SHA-256 of the SEM encoder whose codes it learned (empty when not
 * recorded) and its held-out bits per token (NaN when not measured).
 */
public record TrainedPrior(Sedd model, Params params, String encoderSha, String sha256, double heldoutBits) implements AutoCloseable {
    public static final String ENCODER_SHA = "encoder_sha256";
    public static final String HELDOUT_BITS = "heldout_bits_per_token";

    public static TrainedPrior load(NDManager manager, Path path) {
        var file = ModelFile.load(manager, path, SeddTraining.KIND, Sedd.Config.class, "SEDD prior", (params, config) -> new Sedd(params, config, new Rng(0)));
        var extra = file.extra();
        return new TrainedPrior(file.model(), file.params(), extra.getOrDefault(ENCODER_SHA, ""), file.sha256(),
                Double.parseDouble(extra.getOrDefault(HELDOUT_BITS, "NaN")));
    }

    /** {@code n} codes (n·L tokens in 0..V−1), drawn {@code batch} at a time. */
    public int[] sample(int n, PriorSampler.Config c, int batch, Rng rng) {
        int[] masked = new int[n * model.config().length()];
        java.util.Arrays.fill(masked, model.config().vocab()); // every position the mask: nothing kept
        return infill(masked, n, c, batch, rng);
    }

    /**
     * Completes partial codes ({@code count}·L tokens, the mask token V where a position is to be drawn), drawn
     * {@code batch} at a time; the other positions are kept.
     */
    public int[] infill(int[] partial, int count, PriorSampler.Config c, int batch, Rng rng) {
        Sedd.Config mc = model.config();
        int l = mc.length();
        if (partial.length != count * l) {
            throw new IllegalArgumentException(count + " codes of " + l + " tokens, not " + partial.length + " tokens");
        }
        int[] out = new int[count * l];
        PriorSampler.ScoreFn score = scores(model, params.manager());
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            int[] codes = PriorSampler.infill(score, new Absorbing(mc.vocab()), LogLinearNoise.SEDD,
                    java.util.Arrays.copyOfRange(partial, start * l, (start + n) * l), n, c, rng);
            System.arraycopy(codes, 0, out, start * l, codes.length);
        }
        return out;
    }

    /** The sampler's view of {@code model}: the exponentiated log-score at one σ̄ for every code, at evaluation. */
    public static PriorSampler.ScoreFn scores(Sedd model, NDManager m) {
        return (tokens, count, sigma) -> {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                double[] sigmas = new double[count];
                java.util.Arrays.fill(sigmas, sigma);
                return model.forward(m, tokens, sigmas, null).exp().toFloatArray();
            }
        };
    }

    @Override
    public void close() {
        params.close();
    }
}
