package org.dlc4j.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Locale;
import org.dlc4j.nn.Embedding;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.LayerNorm;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.TransformerBlock;
import org.dlc4j.util.Rng;

/**
 * The text-to-DLC model of Section 6 at this machine's scale: a masked-diffusion transformer that reads one
 * bidirectional sequence laid out as the reference's LLaDA fine-tuning, {@code [code (L)] [START] [caption]}. Code
 * positions hold a token 0..V−1 or the mask V; the caption is the frozen MiniLM's per-token states projected to the
 * model width (a prefix rather than cross-attention: it is what LLaDA does with its own text tokens, and a sequence of
 * 32 + 1 + ≤ 32 tokens costs little). The model predicts the clean token at every code position; like LLaDA it is
 * not told the masking level. A caption dropped for guidance is the START token alone; with joint masking (the
 * reference also masks text) a caption token may be replaced by a learned text-mask vector.
 */
public final class TextToDlc {
    /**
     * @param textDim width of the text encoder's states (MiniLM: 384)
     * @param maxText longest caption in wordpieces, [CLS] and [SEP] included
     */
    public record Config(String name, int length, int vocab, int textDim, int maxText, int dim, int depth, int heads, double mlpRatio) {
        public static final List<String> PRESETS = List.of("tiny", "T2D-T", "T2D-S");

        public static Config preset(String name, int length, int vocab) {
            return switch (name) {
                case "tiny" -> new Config(name, length, vocab, TextEncoder.DIM, TextEncoder.MAX_TOKENS, 32, 2, 2, 4.0);
                // T: the SEDD-T prior's size (width 128, 4 blocks), which fits this data's 32-token codes and the models/ budget.
                case "T2D-T" -> new Config(name, length, vocab, TextEncoder.DIM, TextEncoder.MAX_TOKENS, 128, 4, 4, 4.0);
                case "T2D-S" -> new Config(name, length, vocab, TextEncoder.DIM, TextEncoder.MAX_TOKENS, 256, 6, 4, 4.0);
                default -> throw new IllegalArgumentException("no text-to-DLC preset '" + name + "': use one of " + PRESETS);
            };
        }

        /** Forward multiply-accumulates for one code with a caption of {@code text} tokens. */
        public long forwardMacs(int text) {
            long t = length + 1L + text;
            long d = dim;
            long block = t * (4 * d * d + 2 * (long) Math.round(mlpRatio * d) * d) + 2 * t * t * d;
            return depth * block + (long) text * textDim * d + (long) length * d * vocab;
        }

        public String describe() {
            return String.format(Locale.ROOT, "%s (L=%d, V=%d, width %d, %d blocks, %d heads)", name, length, vocab, dim, depth, heads);
        }
    }

    /** What stands in for a padded or dropped caption token in the attention logits: attention weight e^−10⁹ = 0. */
    private static final float HIDDEN = -1e9f;

    private final Config config;
    private final Params params;
    private final Embedding codeEmbed;
    private final NDArray codePos;
    private final NDArray start;
    private final Linear textProj;
    private final NDArray textPos;
    private final NDArray textMask;
    private final TransformerBlock[] blocks;
    private final LayerNorm norm;
    private final Linear head;

    /** Registers the weights in {@code params}, which the caller owns and closes. */
    public TextToDlc(Params params, Config c, Rng rng) {
        this.config = c;
        this.params = params;
        Init small = Init.normal(0.02);
        codeEmbed = new Embedding(params, "code_embed", c.vocab() + 1, c.dim(), small, rng);
        codePos = params.add("code_pos", new long[] {c.length(), c.dim()}, small, rng);
        start = params.add("start", new long[] {1, 1, c.dim()}, small, rng);
        textProj = new Linear(params, "text_proj", c.textDim(), c.dim(), true, Init.xavierUniform(), Init.zeros(), rng);
        textPos = params.add("text_pos", new long[] {c.maxText(), c.dim()}, small, rng);
        textMask = params.add("text_mask", new long[] {1, 1, c.dim()}, small, rng);
        blocks = new TransformerBlock[c.depth()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new TransformerBlock(params, "blocks." + i, c.dim(), c.heads(), c.mlpRatio(), 0, rng);
        }
        norm = new LayerNorm(params, "norm", c.dim(), rng);
        // Zero: every token starts equally likely, the loss at log V.
        head = new Linear(params, "head", c.dim(), c.vocab(), true, Init.zeros(), Init.zeros(), rng);
    }

    public Config config() {
        return config;
    }

    public Params params() {
        return params;
    }

    /**
     * @param tokens     B codes of L tokens in 0..V (V = mask), row-major
     * @param text       the B captions' states; a caption with no real token (mask all false) is a dropped caption
     * @param textMasked [B, T] caption tokens to replace by the text-mask vector (joint masking), or null
     * @return logits [B, L, V] of the clean token at every code position
     */
    public NDArray forward(NDManager m, int[] tokens, TextEncoder.Encoded text, boolean[] textMasked) {
        int b = text.count();
        int l = config.length();
        int t = text.tokens();
        if (tokens.length != b * l) {
            throw new IllegalArgumentException(tokens.length + " tokens are not " + b + " codes of " + l);
        }
        if (t > config.maxText() || text.states().length != b * t * config.textDim()) {
            throw new IllegalArgumentException("captions of " + t + " tokens for a model of at most " + config.maxText());
        }
        NDArray code = codeEmbed.forward(tokens).reshape(b, l, config.dim()).add(codePos);
        NDArray caption = textProj.forward(m.create(text.states(), new Shape(b, t, config.textDim())))
                .add(textPos.get("0:" + t));
        if (textMasked != null) {
            float[] keep = new float[b * t];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = textMasked[i] ? 0 : 1;
            }
            NDArray k = m.create(keep, new Shape(b, t, 1));
            caption = caption.mul(k).add(textMask.mul(k.neg().add(1f)));
        }
        NDArray h = NDArrays.concat(new NDList(code, start.broadcast(b, 1, config.dim()), caption), 1);
        float[] bias = new float[b * (l + 1 + t)];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                bias[i * (l + 1 + t) + l + 1 + j] = text.mask()[i * t + j] ? 0 : HIDDEN;
            }
        }
        NDArray keyBias = m.create(bias, new Shape(b, 1, 1, l + 1 + t));
        for (TransformerBlock block : blocks) {
            h = block.forward(h, keyBias);
        }
        return head.forward(norm.forward(h.get(":, 0:" + l + ", :")));
    }
}
