package org.dlc4j;

import java.util.Arrays;
import org.dlc4j.util.InvalidInputException;

/**
 * One Discrete Latent Code: {@code length()} tokens, each in 0..{@code vocab}−1, from the SEM encoder whose SHA-256 is
 * {@code encoderSha256} (models refuse codes of another encoder). {@code distributions} are the encoder's L softmaxes
 * over V at temperature 1, row-major [L, V], when the code was encoded from an image (null for a sampled or mixed code).
 */
public record Code(int[] tokens, int vocab, String encoderSha256, float[] distributions) {
    public Code {
        encoderSha256 = encoderSha256 == null ? "" : encoderSha256;
        tokens = tokens.clone();
        distributions = distributions == null ? null : distributions.clone();
        if (vocab < 1) {
            throw InvalidInputException.of("code", "a code's vocabulary V must be at least 1, not " + vocab);
        }
        for (int p = 0; p < tokens.length; p++) {
            if (tokens[p] < 0 || tokens[p] >= vocab) {
                throw InvalidInputException.of("code", "token " + tokens[p] + " at position " + p + " is out of range: tokens are 0.." + (vocab - 1));
            }
        }
        if (distributions != null && distributions.length != tokens.length * vocab) {
            throw new IllegalArgumentException("distributions hold " + distributions.length + " values, not L×V = " + tokens.length * vocab);
        }
    }

    /** L, the number of tokens. */
    public int length() {
        return tokens.length;
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public float[] distributions() {
        return distributions == null ? null : distributions.clone();
    }

    /** The same code without its distributions, as a sampled code is. */
    public Code withoutDistributions() {
        return new Code(tokens, vocab, encoderSha256, null);
    }

    /** How many positions this code shares with {@code other} (the demo's nearest-code measure). */
    public int shared(Code other) {
        int n = 0;
        for (int i = 0; i < Math.min(tokens.length, other.tokens.length); i++) {
            n += tokens[i] == other.tokens[i] ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Code c && vocab == c.vocab && Arrays.equals(tokens, c.tokens) && encoderSha256.equals(c.encoderSha256)
                && Arrays.equals(distributions, c.distributions);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + encoderSha256.hashCode();
    }

    @Override
    public String toString() {
        return "Code" + Arrays.toString(tokens) + " of " + vocab;
    }
}
