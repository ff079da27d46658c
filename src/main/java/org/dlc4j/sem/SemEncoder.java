package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.dlc4j.nn.BatchNorm;
import org.dlc4j.nn.BlockedLinear;
import org.dlc4j.nn.ConvStem;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.LayerNorm;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.PatchEmbed;
import org.dlc4j.nn.Scalar;
import org.dlc4j.nn.TransformerBlock;
import org.dlc4j.util.Rng;

/**
 * The DLC encoder: a backbone whose representation passes through a Simplicial Embedding. The paper's backbone is a
 * ViT with [CLS] and register tokens, as the reference's {@code DinoVisionTransformerWithSEM}; the alternative is a
 * small {@link ResNet}, whose pooled feature the SEM reads instead (the SEM paper, Lavoie et al. 2022, put it on a
 * ResNet-18):
 *
 * <pre>
 *   z = LN_sem(W_in · [cls; reg_1..R])      (ViT: pre-final-norm tokens of the last block; ResNet: the pooled feature)
 *   p_l = softmax(z_l / τ)  for l = 1..L    (one distribution over V per position)
 *   cls' = norm(W_out · vec(p))             (replaces [CLS] for the self-supervised head)
 * </pre>
 *
 * The DLC of an image is argmax_v z_{l,v} at every position l.
 */
public final class SemEncoder {
    /**
     * @param image      input side in pixels (square)
     * @param patch      patch side; the grid is (image/patch)²
     * @param stem       channels of a convolutional patch embedding ({@link ConvStem}); 0 for the plain p×p projection
     * @param dim        token width D
     * @param depth      transformer blocks
     * @param registers  register tokens R (DINOv2 with registers: 4)
     * @param layerScale initial LayerScale γ (DINOv2 fine-tunes a pretrained ViT-L at 1e-5; a shallow ViT trained from scratch
     *                   takes CaiT's 0.1; 0 turns it off)
     * @param length     L, positions of the code
     * @param vocab      V, tokens per position
     * @param tau        softmax temperature of the SEM during training (reference: 1.0)
     * @param backbone   "vit" (the paper's; also what a file without this field holds) or "resnet"
     * @param widths     channels of the ResNet's stages (its {@code depth} is blocks per stage, its {@code dim} the last
     *                   width); null for the ViT, whose patch, stem, heads, MLP ratio, registers and LayerScale the
     *                   ResNet does not use (0)
     */
    public record Config(int image, int channels, int patch, int stem, int dim, int depth, int heads, double mlpRatio, int registers,
                         double layerScale, int length, int vocab, double tau, String backbone, int[] widths) {
        public Config {
            if (image % patch != 0) {
                throw new IllegalArgumentException("image " + image + " is not a multiple of patch " + patch);
            }
            if (RESNET.equals(backbone) && (widths == null || widths.length == 0 || widths[widths.length - 1] != dim)) {
                throw new IllegalArgumentException("a ResNet's dim must be its last stage width, not " + dim);
            }
        }

        /** A ViT encoder. */
        public Config(int image, int channels, int patch, int stem, int dim, int depth, int heads, double mlpRatio, int registers,
                      double layerScale, int length, int vocab, double tau) {
            this(image, channels, patch, stem, dim, depth, heads, mlpRatio, registers, layerScale, length, vocab, tau, VIT, null);
        }

        public boolean resnet() {
            return RESNET.equals(backbone);
        }

        /** The same encoder for {@code channels}-channel {@code image}-px pictures (a ViT's patch must divide the side). */
        public Config forImages(int image, int channels) {
            return new Config(image, channels, patch, stem, dim, depth, heads, mlpRatio, registers, layerScale, length, vocab, tau, backbone, widths);
        }

        public Config withStem(int stem) {
            return new Config(image, channels, patch, stem, dim, depth, heads, mlpRatio, registers, layerScale, length, vocab, tau, backbone, widths);
        }

        /** A ResNet encoder at {@code image} px, {@code depth} basic blocks per stage. */
        public static Config resnet(int image, int channels, int[] widths, int depth, int length, int vocab) {
            return new Config(image, channels, 1, 0, widths[widths.length - 1], depth, 0, 0, 0, 0, length, vocab, 1.0, RESNET, widths.clone());
        }

        /** The ResNet preset: native 28 px (a convolution needs no padding to whole patches), stages 32-64-128, one block each. */
        public static Config fmnistResNet(int length, int vocab) {
            return resnet(28, 1, new int[] {32, 64, 128}, 1, length, vocab);
        }

        public int grid() {
            return image / patch;
        }

        /**
         * Multiply-accumulates of one forward pass of a side×side view through the backbone and the SEM head: the
         * convolutions and matrix products, not norms or activations (as the other models' {@code forwardMacs}).
         */
        public long forwardMacs(int side) {
            long sem = (long) dim * (resnet() ? 1 : 1 + registers) * length * vocab + (long) length * vocab * dim;
            if (resnet()) {
                long macs = (long) side * side * 9 * channels * widths[0];
                int in = widths[0];
                int s = side;
                for (int stage = 0; stage < widths.length; stage++) {
                    for (int d = 0; d < depth; d++) {
                        int out = widths[stage];
                        boolean down = stage > 0 && d == 0;
                        s = down ? (s + 1) / 2 : s; // 3×3, stride 2, padding 1
                        macs += (long) s * s * 9 * in * out + (long) s * s * 9 * out * out + (down || in != out ? (long) s * s * in * out : 0);
                        in = out;
                    }
                }
                return macs + sem;
            }
            int g = side / patch;
            long tokens = (long) g * g + 1 + registers;
            long embed;
            if (stem == 0) {
                embed = (long) g * g * dim * channels * patch * patch;
            } else {
                embed = (long) side * side * 9 * channels * stem;
                int downs = Integer.numberOfTrailingZeros(patch);
                int in = stem;
                int s = side;
                for (int i = 1; i <= downs; i++) {
                    int out = i == downs ? dim : in * 2;
                    s /= 2;
                    embed += (long) s * s * 9 * in * out;
                    in = out;
                }
            }
            long blocks = depth * (tokens * (4L * dim * dim + 2L * Math.round(mlpRatio * dim) * dim) + 2L * tokens * tokens * dim);
            return embed + blocks + sem;
        }

        /** The shipped shape, 32×64, on a ViT sized for 32×32 Fashion-MNIST on two cores. */
        public static Config fmnist() {
            return fmnist(32, 64);
        }

        /** The Fig. 5 sequence-length presets keep L·V = 2048: 8×256, 32×64, 128×16. */
        public static Config fmnist(int length, int vocab) {
            return new Config(32, 1, 4, 24, 96, 4, 3, 4.0, 4, 0.1, length, vocab, 1.0);
        }

        /**
         * The released encoder's architecture ({@code lavoies/SEM_dinov2_L512}, built by the reference as
         * {@code vit_large_sem}): DINOv2 ViT-L/14 with 4 registers, position embeddings for its 518-px pretraining grid
         * (37 × 37, resized for the 224-px crops it encodes), LayerScale, RGB input, and a SEM head of L × V.
         *
         * @param depth 24 for the released model; parity tests cut it (never the width, heads, patch, L or V)
         */
        public static Config dinov2L14(int depth, int length, int vocab) {
            return new Config(518, 3, 14, 0, 1024, depth, 16, 4.0, 4, 1e-5, length, vocab, 1.0);
        }

        public static Config tiny() {
            return new Config(32, 1, 8, 0, 32, 2, 2, 2.0, 4, 1e-5, 4, 8, 1.0);
        }

        public static Config tinyResNet() {
            return resnet(28, 1, new int[] {8, 16}, 1, 4, 8);
        }
    }

    public static final String VIT = "vit";
    public static final String RESNET = "resnet";

    /**
     * @param cls     the SEM representation after the backbone norm, [B, D]: what the DINO head reads
     * @param logits  the SEM pre-softmax values z, [B, L, V]; the DLC is their argmax
     * @param probs   softmax(z/τ), [B, L, V]
     * @param patches normalised patch tokens, [B, N, D] (iBOT's input); null for the ResNet
     * @param backboneCls the backbone's own feature, [B, D]: the ViT's normalised [CLS] token or the ResNet's pooled
     *                    feature, the continuous feature the SEM replaces
     */
    public record Output(NDArray cls, NDArray logits, NDArray probs, NDArray patches, NDArray backboneCls) {
    }

    private final Config config;
    private final Params params;
    private final ResNet resnet;
    private final PatchEmbed patchEmbed;
    private final ConvStem stem;
    private final NDArray clsToken;
    private final NDArray registerTokens;
    private final NDArray maskToken;
    private final NDArray posEmbed;
    private final TransformerBlock[] blocks;
    private final LayerNorm norm;
    private final BlockedLinear semEmbed;
    private final LayerNorm semNorm;
    private final Linear semOut;

    /** Registers the encoder's weights in {@code params} (which the caller owns and closes). */
    public SemEncoder(Params params, Config c, Rng rng) {
        this.config = c;
        this.params = params;
        boolean vit = !c.resnet();
        resnet = vit ? null : new ResNet(params, "backbone", c.channels(), c.widths(), c.depth(), rng);
        patchEmbed = vit && c.stem() == 0 ? new PatchEmbed(params, "patch_embed", c.channels(), c.dim(), c.patch(), rng) : null;
        stem = vit && c.stem() > 0 ? new ConvStem(params, "patch_embed.stem", c.channels(), c.dim(), c.patch(), c.stem(), rng) : null;
        clsToken = vit ? params.add("cls_token", new long[] {1, 1, c.dim()}, Init.normal(1e-6), rng) : null;
        registerTokens = vit ? params.add("register_tokens", new long[] {1, c.registers(), c.dim()}, Init.normal(1e-6), rng) : null;
        maskToken = vit ? params.add("mask_token", new long[] {1, c.dim()}, Init.zeros(), rng) : null;
        // Position embeddings for [CLS] and the patches only: DINOv2 inserts the registers after adding them.
        posEmbed = vit ? params.add("pos_embed", new long[] {1, 1 + (long) c.grid() * c.grid(), c.dim()}, Init.truncatedNormal(0.02), rng) : null;
        blocks = new TransformerBlock[vit ? c.depth() : 0];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new TransformerBlock(params, "blocks." + i, c.dim(), c.heads(), c.mlpRatio(), c.layerScale(), rng);
        }
        norm = new LayerNorm(params, "norm", c.dim(), true, 1e-6, rng);
        int lv = c.length() * c.vocab();
        int in = c.dim() * (1 + c.registers());
        // Row blocks of whole positions when W_in exceeds one Java array (the released L 512 × V 256 head on ViT-L: 2.7 GB).
        semEmbed = new BlockedLinear(params, "sem_embed", in, lv, c.vocab(), Init.torchDefault(in), rng);
        semNorm = new LayerNorm(params, "sem_norm", lv, true, 1e-6, rng);
        semOut = new Linear(params, "sem_out", lv, c.dim(), false, Init.torchDefault(lv), Init.zeros(), rng);
    }

    public Config config() {
        return config;
    }

    public Params params() {
        return params;
    }

    /**
     * Inference (a ResNet's BatchNorm on its running statistics, so an image's code does not depend on its batch).
     *
     * @param x   images [B, C, S, S] in [−1, 1] with S = image (global crops) or another multiple of the patch (local
     *            crops, whose position embeddings are the full grid resized as DINOv2 resizes it)
     * @param tau SEM softmax temperature
     */
    public Output forward(NDArray x, double tau) {
        return forward(x, tau, null, false);
    }

    /**
     * @param mask     [B, N] with 1 where a patch is replaced by the learned mask token before the position embedding
     *                 (iBOT's masked image modelling, as DINOv2), or null; the ResNet takes none
     * @param training a ResNet's BatchNorm on the batch's statistics (the ViT has none)
     */
    public Output forward(NDArray x, double tau, NDArray mask, boolean training) {
        if (resnet != null) {
            if (mask != null) {
                throw new IllegalArgumentException("the ResNet backbone has no patches to mask (iBOT needs the ViT)");
            }
            NDArray feature = resnet.forward(x, training, BatchNorm.MOMENTUM);
            return sem(feature, tau, null, feature);
        }
        long b = x.getShape().get(0);
        int d = config.dim();
        int g = Math.toIntExact(x.getShape().get(2) / config.patch());
        NDArray tokens = stem != null ? stem.forward(x) : patchEmbed.forward(x);
        if (mask != null) {
            NDArray m = mask.expandDims(-1);
            tokens = tokens.mul(m.neg().add(1f)).add(m.mul(maskToken));
        }
        tokens = tokens.add(patchPositions(g, x.getManager()));
        NDArray cls = clsToken.add(posEmbed.get(":, :1, :")).broadcast(b, 1, d);
        NDArray regs = registerTokens.broadcast(b, config.registers(), d);
        NDArray h = NDArrays.concat(new NDList(cls, regs, tokens), 1);
        for (TransformerBlock block : blocks) {
            h = block.forward(h);
        }
        int r = config.registers();
        NDArray normed = norm.forward(h);
        return sem(h.get(":, :" + (1 + r) + ", :").reshape(b, (long) d * (1 + r)), tau, normed.get(":, " + (1 + r) + ":, :"), normed.get(":, 0, :"));
    }

    /**
     * The SEM head alone on the backbone's representation {@code in} [B, D·(1 + R)] (the ViT's pre-norm [CLS] and
     * register tokens, flattened; the ResNet's pooled feature): what {@link #forward} applies after the backbone. The
     * output has no patch tokens and no backbone feature. For checks of the head on fixed inputs (parity tests).
     */
    public Output sem(NDArray in, double tau) {
        return sem(in, tau, null, null);
    }

    /** The Simplicial Embedding of the backbone's representation {@code in} [B, D·(1 + R)]. */
    private Output sem(NDArray in, double tau, NDArray patches, NDArray backbone) {
        long b = in.getShape().get(0);
        NDArray z = semNorm.forward(semEmbed.forward(in));
        NDArray logits = z.reshape(b, config.length(), config.vocab());
        NDArray probs = Scalar.over(logits, tau).softmax(-1);
        NDArray semCls = norm.forward(semOut.forward(probs.reshape(b, (long) config.length() * config.vocab())));
        return new Output(semCls, logits, probs, patches, backbone);
    }

    /**
     * Precise BatchNorm (Wu and Johnson 2021): replaces a ResNet's running statistics by their average over
     * {@code batches} of clean images (the k-th batch weighted 1/k), so that the shipped encoder normalises as its own
     * final weights do on the data rather than as a moving average over augmented crops and older weights did. The
     * ViT has no BatchNorm and is left as it is.
     */
    public void recalibrateBatchNorm(List<NDArray> batches) {
        if (resnet == null) {
            return;
        }
        for (int k = 0; k < batches.size(); k++) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                resnet.forward(batches.get(k), true, 1.0 / (k + 1));
            }
        }
    }

    /**
     * Position embeddings of a g×g patch grid: the learned full grid, resized when g differs as DINOv2's
     * {@code interpolate_pos_encoding} resizes it with the paper's settings (vitl14_sem_L512.yaml: interpolate_offset 0,
     * interpolate_antialias true), i.e. torch's bicubic interpolation to g×g with antialiasing. It is separable: one
     * [g, full] weight matrix along each axis of the grid.
     */
    private NDArray patchPositions(int g, NDManager scratch) {
        int full = config.grid();
        NDArray pos = posEmbed.get(":, 1:, :");
        if (g == full) {
            return pos;
        }
        int d = config.dim();
        NDArray a = scratch.create(bicubicAntialiasWeights(full, g), new Shape(g, full));
        NDArray rows = a.matMul(pos.reshape(full, (long) full * d)).reshape(g, full, d); // grid rows resized
        NDArray both = a.matMul(rows.transpose(1, 0, 2).reshape(full, (long) g * d)).reshape(g, g, d); // then columns: [col, row, D]
        return both.transpose(1, 0, 2).reshape(1, (long) g * g, d);
    }

    /**
     * The weights [out, in] with which torch's {@code interpolate(mode="bicubic", antialias=True)} resizes an axis of
     * {@code in} samples to {@code out} ({@code _compute_weights_aa} in ATen's UpSampleKernel.cpp): Keys' cubic
     * (a = −0.5) stretched by the scale when shrinking, each output's weights normalised to sum to 1.
     */
    static float[] bicubicAntialiasWeights(int in, int out) {
        double scale = in / (double) out;
        double support = scale >= 1 ? 2 * scale : 2;
        double invscale = scale >= 1 ? 1 / scale : 1;
        float[] w = new float[out * in];
        for (int i = 0; i < out; i++) {
            double center = scale * (i + 0.5);
            int xmin = Math.max((int) (center - support + 0.5), 0); // (int) truncates toward zero, as static_cast
            int xmax = Math.min((int) (center + support + 0.5), in);
            double[] taps = new double[Math.max(xmax - xmin, 0)];
            double total = 0;
            for (int j = xmin; j < xmax; j++) {
                taps[j - xmin] = keysCubic((j - center + 0.5) * invscale);
                total += taps[j - xmin];
            }
            for (int j = xmin; j < xmax; j++) {
                w[i * in + j] = (float) (total != 0 ? taps[j - xmin] / total : taps[j - xmin]);
            }
        }
        return w;
    }

    private static double keysCubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        }
        return 0;
    }
}
