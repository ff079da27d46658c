package org.dlc4j.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.dlc4j.nn.Conv2d;
import org.dlc4j.nn.GroupNorm;
import org.dlc4j.nn.Layers;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Scalar;
import org.dlc4j.util.Rng;

/**
 * The KL-regularised autoencoder of Stable Diffusion, as diffusers' {@code AutoencoderKL} with {@code DownEncoderBlock2D}
 * and {@code UpDecoderBlock2D} blocks ({@code stabilityai/sd-vae-ft-ema}: the VAE whose latents the paper's DiT
 * generates). Parameters carry diffusers' state-dict names, so its weights load as they are.
 *
 * <pre>
 *   encode: conv_in → per block: resnets (→ stride-2 conv, not on the last) → mid (resnet, attention, resnet)
 *           → GroupNorm, SiLU, conv_out → quant_conv → mean | logvar                  (image / 2^(blocks−1) per side)
 *   decode: post_quant_conv → conv_in → mid → per block, widest first: resnets (→ nearest ×2 + conv, not on the last)
 *           → GroupNorm, SiLU, conv_out
 * </pre>
 *
 * Inference only: each layer's intermediate arrays are freed as soon as it returns (at 256 px one decoder layer makes
 * tens of MB of them), so no gradient flows through this model; the paper keeps the VAE frozen.
 */
public final class AutoencoderKl {
    /**
     * @param inChannels       image channels read by the encoder
     * @param outChannels      image channels written by the decoder
     * @param blockOutChannels width of each resolution, finest first; the side shrinks by 2 between consecutive ones
     * @param layersPerBlock   resnets per encoder block (the decoder has one more per block)
     * @param latentChannels   channels of the latent (the encoder writes twice as many: mean and log-variance)
     * @param normGroups       groups of every GroupNorm
     * @param normEps          ε of every GroupNorm (diffusers' VAE: 1e-6)
     * @param scalingFactor    what the diffusion model's latents are: encoder samples × this; decode divides by it
     */
    public record Config(String name, int inChannels, int outChannels, List<Integer> blockOutChannels, int layersPerBlock,
                         int latentChannels, int normGroups, double normEps, double scalingFactor) {
        public Config {
            blockOutChannels = List.copyOf(blockOutChannels);
            if (blockOutChannels.isEmpty() || layersPerBlock < 1 || latentChannels < 1 || inChannels < 1 || outChannels < 1) {
                throw new IllegalArgumentException("a VAE needs at least one block, one layer per block and positive channel counts");
            }
            for (int width : blockOutChannels) {
                if (width < 1 || width % normGroups != 0) {
                    throw new IllegalArgumentException("block width " + width + " is not a positive multiple of " + normGroups + " groups");
                }
            }
        }

        public static final List<String> PRESETS = List.of("sd-vae", "tiny");

        public static Config preset(String name) {
            return switch (name) {
                // stabilityai/sd-vae-ft-ema's config.json (and -ft-mse's: same architecture), diffusers' scaling factor.
                case "sd-vae" -> new Config(name, 3, 3, List.of(128, 256, 512, 512), 2, 4, 32, 1e-6, 0.18215);
                // Every code path of sd-vae (width change with a 1×1 shortcut, down- and upsampling) in a few thousand weights.
                case "tiny" -> new Config(name, 3, 3, List.of(16, 32), 1, 4, 8, 1e-6, 0.18215);
                default -> throw new IllegalArgumentException("no VAE preset '" + name + "': use one of " + PRESETS);
            };
        }

        /** How many image pixels one latent position covers along each side (sd-vae: 8). */
        public int downsampling() {
            return 1 << (blockOutChannels.size() - 1);
        }

        /** Multiply-accumulates of {@link #encode} of one side×side image: convolutions and matrix products, not norms or activations. */
        public long encodeMacs(int side) {
            long s = side;
            int width = blockOutChannels.get(0);
            long macs = conv(s, inChannels, width, 3);
            for (int i = 0; i < blockOutChannels.size(); i++) {
                int out = blockOutChannels.get(i);
                for (int j = 0; j < layersPerBlock; j++) {
                    macs += resnet(s, width, out);
                    width = out;
                }
                if (i < blockOutChannels.size() - 1) {
                    s /= 2;
                    macs += conv(s, width, width, 3);
                }
            }
            return macs + mid(s, width) + conv(s, width, 2 * latentChannels, 3) + conv(s, 2 * latentChannels, 2 * latentChannels, 1);
        }

        /** Multiply-accumulates of {@link #decode} to one side×side image (from a latent of side / {@link #downsampling()}). */
        public long decodeMacs(int side) {
            long s = side / downsampling();
            int width = blockOutChannels.get(blockOutChannels.size() - 1);
            long macs = conv(s, latentChannels, latentChannels, 1) + conv(s, latentChannels, width, 3) + mid(s, width);
            for (int i = blockOutChannels.size() - 1; i >= 0; i--) {
                int out = blockOutChannels.get(i);
                for (int j = 0; j <= layersPerBlock; j++) {
                    macs += resnet(s, width, out);
                    width = out;
                }
                if (i > 0) {
                    s *= 2;
                    macs += conv(s, width, width, 3);
                }
            }
            return macs + conv(s, width, outChannels, 3);
        }

        private static long conv(long side, long in, long out, int kernel) {
            return side * side * in * out * kernel * kernel;
        }

        private static long resnet(long side, int in, int out) {
            return conv(side, in, out, 3) + conv(side, out, out, 3) + (in != out ? conv(side, in, out, 1) : 0);
        }

        /** Two resnets around the attention: q, k, v and out projections, and q·kᵀ and softmax·v over side² tokens. */
        private static long mid(long side, int width) {
            long tokens = side * side;
            return 2 * resnet(side, width, width) + 4 * tokens * width * width + 2 * tokens * tokens * width;
        }
    }

    /**
     * The encoder's diagonal Gaussian over latents, diffusers' {@code DiagonalGaussianDistribution}.
     *
     * @param mean   [B, latent, h, w]
     * @param logvar [B, latent, h, w], already clamped to [−30, 20]
     */
    public record Posterior(NDArray mean, NDArray logvar) {
        public NDArray std() {
            return Scalar.times(logvar, 0.5).exp();
        }

        /** mean + std·ε for a standard normal {@code noise} of the mean's shape. */
        public NDArray sample(NDArray noise) {
            return mean.add(std().mul(noise));
        }

        public NDArray mode() {
            return mean;
        }
    }

    private final Config config;
    private final Params params;
    private final List<UnaryOperator<NDArray>> encoder = new ArrayList<>();
    private final List<UnaryOperator<NDArray>> decoder = new ArrayList<>();

    /** Registers the weights in {@code params} (which the caller owns and closes), with PyTorch's default initialisation. */
    public AutoencoderKl(Params params, Config c, Rng rng) {
        this.config = c;
        this.params = params;
        List<Integer> widths = c.blockOutChannels();
        int last = widths.size() - 1;

        Conv2d encIn = new Conv2d(params, "encoder.conv_in", c.inChannels(), widths.get(0), 3, 1, 1, rng);
        encoder.add(encIn::forward);
        int width = widths.get(0);
        for (int i = 0; i <= last; i++) {
            String block = "encoder.down_blocks." + i;
            for (int j = 0; j < c.layersPerBlock(); j++) {
                encoder.add(new Resnet(params, block + ".resnets." + j, width, widths.get(i), c, rng)::forward);
                width = widths.get(i);
            }
            if (i < last) {
                // diffusers' Downsample2D with padding 0: zero-pad one column right and one row below, then 3×3 stride 2.
                Conv2d down = new Conv2d(params, block + ".downsamplers.0.conv", width, width, 3, 2, 0, rng);
                encoder.add(x -> down.forward(x.pad(new Shape(0, 1, 0, 1), 0)));
            }
        }
        addMidBlock(encoder, params, "encoder.mid_block", width, c, rng);
        addOutput(encoder, params, "encoder", width, 2 * c.latentChannels(), c, rng);
        Conv2d quant = new Conv2d(params, "quant_conv", 2 * c.latentChannels(), 2 * c.latentChannels(), 1, 1, 0, rng);
        encoder.add(quant::forward);

        Conv2d postQuant = new Conv2d(params, "post_quant_conv", c.latentChannels(), c.latentChannels(), 1, 1, 0, rng);
        decoder.add(postQuant::forward);
        width = widths.get(last);
        Conv2d decIn = new Conv2d(params, "decoder.conv_in", c.latentChannels(), width, 3, 1, 1, rng);
        decoder.add(decIn::forward);
        addMidBlock(decoder, params, "decoder.mid_block", width, c, rng);
        for (int i = 0; i <= last; i++) {
            String block = "decoder.up_blocks." + i;
            int out = widths.get(last - i);
            for (int j = 0; j <= c.layersPerBlock(); j++) {
                decoder.add(new Resnet(params, block + ".resnets." + j, width, out, c, rng)::forward);
                width = out;
            }
            if (i < last) {
                Conv2d up = new Conv2d(params, block + ".upsamplers.0.conv", width, width, 3, 1, 1, rng);
                decoder.add(x -> up.forward(nearestTwice(x)));
            }
        }
        addOutput(decoder, params, "decoder", width, c.outChannels(), c, rng);
    }

    public Config config() {
        return config;
    }

    public Params params() {
        return params;
    }

    /** Images in [−1, 1], [B, in, H, W] → the posterior over [B, latent, H/8, W/8] latents (sd-vae). */
    public Posterior encode(NDArray images) {
        NDList moments = run(images, encoder).split(2, 1);
        return new Posterior(moments.get(0), moments.get(1).clip(-30, 20));
    }

    /** Latents [B, latent, h, w] → images [B, out, 8h, 8w] (sd-vae), nominally in [−1, 1]. */
    public NDArray decode(NDArray latents) {
        return run(latents, decoder);
    }

    /** The authors' sampling pipeline: the DiT's latents are the VAE's × {@code scalingFactor}, so it decodes latents / scalingFactor. */
    public NDArray decodeLatents(NDArray scaledLatents) {
        return decode(Scalar.over(scaledLatents, config.scalingFactor()));
    }

    /**
     * Decoded images [B, C, H, W] as the authors' pipeline turns them into pixels: clamp(127.5·x + 128, 0, 255) in float32,
     * truncated to a byte as torch's {@code .to(uint8)} does, channels last, [B, H, W, C].
     */
    public static byte[] toPixels(float[] images, int batch, int channels, int height, int width) {
        byte[] out = new byte[images.length];
        int plane = height * width;
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < channels; ch++) {
                for (int p = 0; p < plane; p++) {
                    float v = Math.min(255f, Math.max(0f, 127.5f * images[(b * channels + ch) * plane + p] + 128f));
                    out[(b * plane + p) * channels + ch] = (byte) (int) v;
                }
            }
        }
        return out;
    }

    /** The layers in order, each one's intermediate arrays freed when it returns; the input stays the caller's. */
    private static NDArray run(NDArray x, List<UnaryOperator<NDArray>> layers) {
        NDArray h = x;
        for (UnaryOperator<NDArray> layer : layers) {
            NDArray next;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                next = layer.apply(h);
                NDScope.unregister(next);
            }
            if (h != x) {
                h.close();
            }
            h = next;
        }
        return h;
    }

    /** UNetMidBlock2D as the VAE has it: resnets.0, attentions.0, resnets.1, all at one width. */
    private static void addMidBlock(List<UnaryOperator<NDArray>> layers, Params p, String name, int width, Config c, Rng rng) {
        layers.add(new Resnet(p, name + ".resnets.0", width, width, c, rng)::forward);
        layers.add(new SpatialAttention(p, name + ".attentions.0", width, c, rng)::forward);
        layers.add(new Resnet(p, name + ".resnets.1", width, width, c, rng)::forward);
    }

    /** conv_norm_out, SiLU, conv_out. */
    private static void addOutput(List<UnaryOperator<NDArray>> layers, Params p, String prefix, int width, int out, Config c, Rng rng) {
        GroupNorm norm = new GroupNorm(p, prefix + ".conv_norm_out", width, c.normGroups(), c.normEps(), rng);
        Conv2d conv = new Conv2d(p, prefix + ".conv_out", width, out, 3, 1, 1, rng);
        layers.add(x -> conv.forward(Layers.silu(norm.forward(x))));
    }

    /** Nearest-neighbour ×2 (F.interpolate(scale_factor=2, mode="nearest")): each pixel becomes a 2×2 block. */
    private static NDArray nearestTwice(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        return x.reshape(b, c, h, 1, w, 1).broadcast(b, c, h, 2, w, 2).reshape(b, c, 2 * h, 2 * w);
    }

    /**
     * ResnetBlock2D without a time embedding (dropout 0, output scale 1): norm1 → SiLU → conv1 3×3 → norm2 → SiLU → conv2
     * 3×3, added to the input, which a 1×1 conv_shortcut projects when the width changes.
     */
    private static final class Resnet {
        private final GroupNorm norm1;
        private final Conv2d conv1;
        private final GroupNorm norm2;
        private final Conv2d conv2;
        private final Conv2d shortcut;

        Resnet(Params p, String name, int in, int out, Config c, Rng rng) {
            norm1 = new GroupNorm(p, name + ".norm1", in, c.normGroups(), c.normEps(), rng);
            conv1 = new Conv2d(p, name + ".conv1", in, out, 3, 1, 1, rng);
            norm2 = new GroupNorm(p, name + ".norm2", out, c.normGroups(), c.normEps(), rng);
            conv2 = new Conv2d(p, name + ".conv2", out, out, 3, 1, 1, rng);
            shortcut = in == out ? null : new Conv2d(p, name + ".conv_shortcut", in, out, 1, 1, 0, rng);
        }

        NDArray forward(NDArray x) {
            NDArray h = conv1.forward(Layers.silu(norm1.forward(x)));
            h = conv2.forward(Layers.silu(norm2.forward(h)));
            return (shortcut == null ? x : shortcut.forward(x)).add(h);
        }
    }

    /**
     * The mid block's attention (diffusers' Attention with one head of the full width, group_norm, residual): every
     * position attends to every position, softmax(q·kᵀ/√C)·v, then to_out.0, added to the input.
     */
    private static final class SpatialAttention {
        private final GroupNorm norm;
        private final Linear query;
        private final Linear key;
        private final Linear value;
        private final Linear out;
        private final double scale;

        SpatialAttention(Params p, String name, int width, Config c, Rng rng) {
            norm = new GroupNorm(p, name + ".group_norm", width, c.normGroups(), c.normEps(), rng);
            query = new Linear(p, name + ".to_q", width, width, rng);
            key = new Linear(p, name + ".to_k", width, width, rng);
            value = new Linear(p, name + ".to_v", width, width, rng);
            out = new Linear(p, name + ".to_out.0", width, width, rng);
            scale = 1 / Math.sqrt(width);
        }

        NDArray forward(NDArray x) {
            Shape s = x.getShape();
            long b = s.get(0);
            long c = s.get(1);
            NDArray tokens = norm.forward(x).reshape(b, c, -1).transpose(0, 2, 1); // [B, H·W, C]
            NDArray q = Scalar.times(query.forward(tokens), scale);
            NDArray attn = q.matMul(key.forward(tokens).transpose(0, 2, 1)).softmax(-1);
            NDArray h = out.forward(attn.matMul(value.forward(tokens)));
            return x.add(h.transpose(0, 2, 1).reshape(s));
        }
    }
}
