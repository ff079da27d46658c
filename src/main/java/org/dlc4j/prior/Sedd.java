package org.dlc4j.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Locale;
import org.dlc4j.diffusion.discrete.Absorbing;
import org.dlc4j.nn.AdaLnBlock;
import org.dlc4j.nn.Embedding;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.LayerNorm;
import org.dlc4j.nn.Layers;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Rotary;
import org.dlc4j.nn.TimestepEmbedder;
import org.dlc4j.util.Rng;

/**
 * SEDD's DDiT (Lou et al. 2024) as the DLC fork writes it: the log concrete score of a partly masked code.
 *
 * <pre>
 *   h = TokenEmbed(x) + learned absolute positions                      (the fork adds these to the rotary ones)
 *   c = SiLU(TimestepEmbedder(σ̄))                                       (of the total noise σ̄, not of t)
 *   h = N × adaLN-Zero block(h, c)                                      (rotary q/k, no attention biases, dropout)
 *   s = Linear(modulate(LN(h), c)) − log(e^σ̄ − 1) − log V               (scale_by_sigma: s then averages ≈ 0)
 *   s[i, xᵢ] = 0                                                        (the score of staying put)
 * </pre>
 */
public final class Sedd {
    /**
     * @param length  L, positions of a code
     * @param vocab   V, tokens per position (the model has V + 1 states: the last is the mask)
     * @param condDim width of the noise-level embedding c (reference: 128)
     * @param dropout on each residual branch in training (reference: 0.1)
     */
    public record Config(String name, int length, int vocab, int dim, int depth, int heads, int condDim, double mlpRatio, double dropout) {
        public static final List<String> PRESETS = List.of("tiny", "SEDD-T", "SEDD-S", "SEDD-M");

        /** A size preset for codes of L×V. */
        public static Config preset(String name, int length, int vocab) {
            return switch (name) {
                case "tiny" -> new Config(name, length, vocab, 32, 2, 2, 16, 4.0, 0.1);
                // T: sized for 2 cores and the models/ budget (1.2M parameters, 4.7 MB): codes of 32 tokens need little.
                case "SEDD-T" -> new Config(name, length, vocab, 128, 4, 2, 128, 4.0, 0.1);
                // The reference's small_L512 and medium_L512 (the paper's SEDD-medium).
                case "SEDD-S" -> new Config(name, length, vocab, 768, 12, 12, 128, 4.0, 0.1);
                case "SEDD-M" -> new Config(name, length, vocab, 1024, 24, 16, 128, 4.0, 0.1);
                default -> throw new IllegalArgumentException("no SEDD preset '" + name + "': use one of " + PRESETS);
            };
        }

        /** Forward multiply-accumulates per code: the blocks' products, attention and the output layer. */
        public long forwardMacs() {
            long t = length;
            long d = dim;
            long block = t * (4 * d * d + 2 * (long) Math.round(mlpRatio * d) * d) + 2 * t * t * d + 6L * condDim * d;
            return depth * block + t * (vocab + 1L) * (d + 1) + t * d * (vocab + 1L);
        }

        /**
         * The shipped Fashion-MNIST prior's shape: SEDD-T made 7 blocks deep (issue 25: depth moved the FD of its decoded
         * codes from 13.18 at 4 blocks to about 11.4 at 6 or 7, which one 5,000-image draw cannot tell apart; 7 blocks bound
         * the held-out codes lowest at 25 epochs, 1.655 bits per token against 1.680).
         */
        public static Config fmnist(int length, int vocab) {
            Config t = preset("SEDD-T", length, vocab);
            return t.resized(t.dim(), 7, t.heads());
        }

        /** The same model with another width, depth and head count (the rest of the preset kept). */
        public Config resized(int dim, int depth, int heads) {
            if (dim <= 0 || depth <= 0 || heads <= 0 || dim % heads != 0 || (dim / heads) % 2 != 0) {
                throw new IllegalArgumentException("width " + dim + ", depth " + depth + ", heads " + heads
                        + ": all must be positive and the width a multiple of 2 × heads (rotary attention halves each head)");
            }
            return new Config(name, length, vocab, dim, depth, heads, condDim, mlpRatio, dropout);
        }

        public String describe() {
            return String.format(Locale.ROOT, "%s (L=%d, V=%d, width %d, %d blocks, %d heads)", name, length, vocab, dim, depth, heads);
        }
    }

    private final Config config;
    private final Params params;
    private final Embedding vocabEmbed;
    private final NDArray posEmbed;
    private final TimestepEmbedder sigmaMap;
    private final AdaLnBlock[] blocks;
    private final LayerNorm finalNorm;
    private final Linear finalModulation;
    private final Linear finalLinear;

    /** Registers the model's weights in {@code params} (which the caller owns and closes), initialised as SEDD. */
    public Sedd(Params params, Config c, Rng rng) {
        this.config = c;
        this.params = params;
        int states = c.vocab() + 1;
        vocabEmbed = new Embedding(params, "vocab_embed", states, c.dim(), Init.torchDefault(), rng);
        posEmbed = params.add("pos_embed", new long[] {c.length(), c.dim()}, Init.torchDefault(), rng);
        sigmaMap = new TimestepEmbedder(params, "sigma_map", c.condDim(), 256, Init.torchDefault(), rng);
        Rotary rotary = new Rotary(params.manager(), c.length(), c.dim() / c.heads(), 10000);
        var spec = new AdaLnBlock.Spec(c.condDim(), true, 1e-5, false, Init.torchDefault(), rotary, c.dropout());
        blocks = new AdaLnBlock[c.depth()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new AdaLnBlock(params, "blocks." + i, c.dim(), c.heads(), c.mlpRatio(), spec, rng);
        }
        finalNorm = LayerNorm.scaleOnly(params, "output_layer.norm_final", c.dim(), 1e-5, rng);
        finalModulation = new Linear(params, "output_layer.adaLN_modulation", c.condDim(), 2 * c.dim(), true, Init.zeros(), Init.zeros(), rng);
        finalLinear = new Linear(params, "output_layer.linear", c.dim(), states, true, Init.zeros(), Init.zeros(), rng);
    }

    public Config config() {
        return config;
    }

    public Params params() {
        return params;
    }

    /**
     * @param tokens     B codes of L tokens in 0..V (V = mask), row-major
     * @param sigmaBar   the total noise of each code
     * @param dropoutRng source of the dropout masks in training; null at evaluation
     * @return the log-score [B, L, V+1], 0 at each position's own token
     */
    public NDArray forward(NDManager m, int[] tokens, double[] sigmaBar, Rng dropoutRng) {
        int b = sigmaBar.length;
        int l = config.length();
        int states = config.vocab() + 1;
        if (tokens.length != b * l) {
            throw new IllegalArgumentException(tokens.length + " tokens are not " + b + " codes of " + l);
        }
        NDArray h = vocabEmbed.forward(tokens).reshape(b, l, config.dim()).add(posEmbed);
        // The blocks apply SiLU to c themselves, so c enters them once activated, as the reference's F.silu(sigma_map(σ̄)).
        NDArray c = sigmaMap.forward(m, sigmaBar);
        for (AdaLnBlock block : blocks) {
            h = block.forward(h, c, dropoutRng);
        }
        var mod = finalModulation.forward(Layers.silu(c)).split(2, 1);
        NDArray s = finalLinear.forward(AdaLnBlock.modulate(finalNorm.forward(h), mod.get(0), mod.get(1)));
        // scale_by_sigma: the true score of a masked position sums to 1/(e^σ̄ − 1) over V tokens, so subtracting
        // log(e^σ̄ − 1) + log V lets a network that outputs ≈ 0 start near the right magnitude.
        float[] offset = new float[b];
        for (int i = 0; i < b; i++) {
            offset[i] = (float) (Math.log(Absorbing.expm1Stable(sigmaBar[i])) + Math.log(states - 1));
        }
        s = s.sub(m.create(offset, new Shape(b, 1, 1)));
        NDArray own = m.create(tokens, new Shape(b, l)).oneHot(states);
        return s.mul(own.neg().add(1f));
    }
}
