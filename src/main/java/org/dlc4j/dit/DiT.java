package org.dlc4j.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Locale;
import org.dlc4j.nn.AdaLnBlock;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.LayerNorm;
import org.dlc4j.nn.Layers;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.PatchEmbed;
import org.dlc4j.nn.TimestepEmbedder;
import org.dlc4j.util.Rng;

/**
 * The Diffusion Transformer (Peebles &amp; Xie 2023) in pixel space, as the reference's DiTSEM:
 *
 * <pre>
 *   tokens = PatchEmbed(x) + fixed 2-D sin-cos positions
 *   c      = TimestepEmbedder(t) + ConditionEmbedder(condition)        (label, DLC, SEM vector, or nothing)
 *   tokens = N × adaLN-Zero block(tokens, c)
 *   out    = unpatchify(Linear(modulate(LN(tokens), c)))               (ε, and the variance interpolation v)
 * </pre>
 *
 * The condition enters only through c, added to the timestep embedding: no in-context tokens, no cross-attention.
 */
public final class DiT {
    /**
     * @param image       input side in pixels (square)
     * @param channels    image channels (1 for Fashion-MNIST)
     * @param patch       patch side p; the model sees (image/p)² tokens
     * @param learnSigma  also predict the variance interpolation (DiT: true), doubling the output channels
     * @param classes     labels for CLASS conditioning
     * @param length      L for DLC conditioning
     * @param vocab       V for DLC conditioning
     * @param vectorDim   input width for SEM conditioning
     * @param dropProb    probability that training replaces an image's condition by the null one (reference: 0.1)
     * @param scaledCodes DLC pooling: false averages the L token embeddings (the reference's SEMEmbedder); true
     *                    multiplies that average by √L, so the code starts at one token embedding's scale and each
     *                    entry's Adam step moves the condition √L times further (see README, issue 5)
     */
    public record Config(String name, int image, int channels, int patch, int dim, int depth, int heads, double mlpRatio,
                         boolean learnSigma, Conditioning conditioning, int classes, int length, int vocab, int vectorDim,
                         double dropProb, boolean scaledCodes) {
        public Config {
            if (patch < 1 || dim < 1 || depth < 1 || heads < 1) {
                throw new IllegalArgumentException("patch, width, depth and heads must be positive");
            }
            if (image % patch != 0) {
                throw new IllegalArgumentException("image " + image + " is not a multiple of patch " + patch);
            }
            if (dim % heads != 0 || dim % 4 != 0) {
                throw new IllegalArgumentException("width " + dim + " must be a multiple of 4 (the sin-cos positions) and of the "
                        + heads + " heads");
            }
        }

        /** The size presets, named in the paper's style (width/depth letter, then the patch): unconditioned. */
        public static final List<String> PRESETS = List.of("tiny", "DiT-T/4", "DiT-T/2", "DiT-S/4", "DiT-S/2", "DiT-XL/2");

        /** A preset for 32×32 greyscale images (DiT-XL/2: 4-channel 32×32 latents), unconditional; see {@link #conditionedOn}. */
        public static Config preset(String name) {
            return switch (name) {
                case "tiny" -> new Config(name, 32, 1, 8, 32, 2, 2, 2.0, true, Conditioning.NONE, 0, 0, 0, 0, 0.1, false);
                // T: DeiT-Ti's width and heads at half its depth, sized for 2 cores.
                case "DiT-T/4" -> new Config(name, 32, 1, 4, 192, 6, 3, 4.0, true, Conditioning.NONE, 0, 0, 0, 0, 0.1, false);
                case "DiT-T/2" -> new Config(name, 32, 1, 2, 192, 6, 3, 4.0, true, Conditioning.NONE, 0, 0, 0, 0, 0.1, false);
                // S: DiT-S (width 384, 12 blocks, 6 heads).
                case "DiT-S/4" -> new Config(name, 32, 1, 4, 384, 12, 6, 4.0, true, Conditioning.NONE, 0, 0, 0, 0, 0.1, false);
                case "DiT-S/2" -> new Config(name, 32, 1, 2, 384, 12, 6, 4.0, true, Conditioning.NONE, 0, 0, 0, 0, 0.1, false);
                // XL: the paper's DiTSEM-XL/2 (28 blocks, width 1152, 16 heads) on SD-VAE latents of 256-px images, 4 × 32 × 32.
                case "DiT-XL/2" -> new Config(name, 32, 4, 2, 1152, 28, 16, 4.0, true, Conditioning.NONE, 0, 0, 0, 0, 0.1, false);
                default -> throw new IllegalArgumentException("no DiT preset '" + name + "': use one of " + PRESETS);
            };
        }

        public Config conditionedOn(Conditioning conditioning, int classes, int length, int vocab, int vectorDim) {
            return new Config(name, image, channels, patch, dim, depth, heads, mlpRatio, learnSigma, conditioning, classes, length,
                    vocab, vectorDim, dropProb, scaledCodes);
        }

        /** The same model at another geometry: image size, patch, width, depth and heads (the A/B of issue 25). */
        public Config resized(int image, int patch, int dim, int depth, int heads) {
            return new Config(name, image, channels, patch, dim, depth, heads, mlpRatio, learnSigma, conditioning, classes, length, vocab,
                    vectorDim, dropProb, scaledCodes);
        }

        /** The same model for {@code channels}-channel {@code image}-px pictures (the patch must divide the side). */
        public Config forImages(int image, int channels) {
            return new Config(name, image, channels, patch, dim, depth, heads, mlpRatio, learnSigma, conditioning, classes, length, vocab,
                    vectorDim, dropProb, scaledCodes);
        }

        /** The same model predicting only ε (fixed σ, plain ε-MSE) instead of ε and σ with the hybrid loss. */
        public Config withLearnSigma(boolean learn) {
            return new Config(name, image, channels, patch, dim, depth, heads, mlpRatio, learn, conditioning, classes, length, vocab, vectorDim,
                    dropProb, scaledCodes);
        }

        public Config withScaledCodes(boolean scaled) {
            return new Config(name, image, channels, patch, dim, depth, heads, mlpRatio, learnSigma, conditioning, classes, length,
                    vocab, vectorDim, dropProb, scaled);
        }

        public int grid() {
            return image / patch;
        }

        public int outChannels() {
            return learnSigma ? 2 * channels : channels;
        }

        /** Forward multiply-accumulates per image: the matrix products of the blocks, attention and the final layer. */
        public long forwardMacs() {
            long t = (long) grid() * grid();
            long d = dim;
            long block = t * (4 * d * d + 2 * (long) Math.round(mlpRatio * d) * d) + 2 * t * t * d + 6 * d * d;
            long embed = t * d * channels * patch * patch;
            long last = t * d * (long) outChannels() * patch * patch + 2 * d * d;
            return depth * block + embed + last;
        }

        public String describe() {
            return String.format(Locale.ROOT, "%s (%d×%d tokens, width %d, %d blocks, %d heads), conditioning %s", name, grid(), grid(),
                    dim, depth, heads, conditioning.name().toLowerCase(Locale.ROOT)) + (scaledCodes ? " (pooled mean × √L)" : "");
        }
    }

    private final Config config;
    private final Params params;
    private final PatchEmbed xEmbedder;
    private final TimestepEmbedder tEmbedder;
    private final ConditionEmbedder cEmbedder;
    private final NDArray posEmbed;
    private final AdaLnBlock[] blocks;
    private final LayerNorm finalNorm;
    private final Linear finalModulation;
    private final Linear finalLinear;

    /** Registers the model's weights in {@code params} (which the caller owns and closes), initialised as DiT. */
    public DiT(Params params, Config c, Rng rng) {
        this.config = c;
        this.params = params;
        xEmbedder = new PatchEmbed(params, "x_embedder", c.channels(), c.dim(), c.patch(), rng);
        tEmbedder = new TimestepEmbedder(params, "t_embedder", c.dim(), 256, rng);
        cEmbedder = ConditionEmbedder.create(params, c, rng);
        // A constant, not a parameter: DiT's pos_embed has requires_grad=False.
        posEmbed = params.manager().create(Layers.sinCos2d(c.dim(), c.grid()), new Shape(1, (long) c.grid() * c.grid(), c.dim()));
        blocks = new AdaLnBlock[c.depth()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new AdaLnBlock(params, "blocks." + i, c.dim(), c.heads(), c.mlpRatio(), rng);
        }
        finalNorm = new LayerNorm(params, "final_layer.norm_final", c.dim(), false, 1e-6, rng);
        finalModulation = new Linear(params, "final_layer.adaLN_modulation.1", c.dim(), 2 * c.dim(), true, Init.zeros(), Init.zeros(), rng);
        finalLinear = new Linear(params, "final_layer.linear", c.dim(), c.patch() * c.patch() * c.outChannels(), true, Init.zeros(),
                Init.zeros(), rng);
    }

    public Config config() {
        return config;
    }

    public Params params() {
        return params;
    }

    /**
     * @param x images or noisy images [B, C, S, S]
     * @param t the model's timestep per image (0..T−1)
     * @param condition per image; ignored by an unconditional model
     * @return [B, outChannels, S, S]: ε, then v when σ is learned
     */
    public NDArray forward(NDArray x, int[] t, Condition condition) {
        NDManager m = x.getManager();
        double[] times = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            times[i] = t[i];
        }
        NDArray h = xEmbedder.forward(x).add(posEmbed);
        NDArray c = tEmbedder.forward(m, times);
        if (cEmbedder != null) {
            c = c.add(cEmbedder.forward(condition));
        }
        for (AdaLnBlock block : blocks) {
            h = block.forward(h, c);
        }
        var mod = finalModulation.forward(Layers.silu(c)).split(2, 1);
        h = finalLinear.forward(AdaLnBlock.modulate(finalNorm.forward(h), mod.get(0), mod.get(1)));
        return unpatchify(h, config.patch(), config.outChannels());
    }

    /** [B, g², p²·C] tokens → [B, C, g·p, g·p] images; the inverse of cutting an image into row-major p×p patches. */
    public static NDArray unpatchify(NDArray tokens, int patch, int channels) {
        long b = tokens.getShape().get(0);
        int g = (int) Math.round(Math.sqrt(tokens.getShape().get(1)));
        // DiT: reshape to (B, h, w, p, p, C), einsum nhwpqc → nchpwq.
        return tokens.reshape(b, g, g, patch, patch, channels).transpose(0, 5, 1, 3, 2, 4).reshape(b, channels, (long) g * patch,
                (long) g * patch);
    }

    /** [B, C, S, S] → [B, (S/p)², p²·C], the token layout {@link #unpatchify} inverts. */
    public static NDArray patchify(NDArray x, int patch) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long g = x.getShape().get(2) / patch;
        return x.reshape(b, c, g, patch, g, patch).transpose(0, 2, 4, 3, 5, 1).reshape(b, g * g, (long) patch * patch * c);
    }
}
