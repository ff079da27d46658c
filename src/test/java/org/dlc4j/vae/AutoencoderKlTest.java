package org.dlc4j.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.dlc4j.nn.GradMode;
import org.dlc4j.nn.GroupNorm;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;

/** Shapes, names and sizes of the VAE at the tiny preset; its numbers against diffusers are VaeParityTest's. */
class AutoencoderKlTest {
    private static long conv(long in, long out, int kernel) {
        return out * in * kernel * kernel + out;
    }

    private static long resnet(long in, long out) {
        return 2 * in + conv(in, out, 3) + 2 * out + conv(out, out, 3) + (in != out ? conv(in, out, 1) : 0);
    }

    /** Two resnets, the attention's group norm and its four C×C projections. */
    private static long mid(long c) {
        return 2 * resnet(c, c) + 2 * c + 4 * (c * c + c);
    }

    /** diffusers' AutoencoderKL parameter count, written out block by block. */
    static long parameters(AutoencoderKl.Config c) {
        List<Integer> w = c.blockOutChannels();
        int last = w.size() - 1;
        long lat = c.latentChannels();
        long n = conv(c.inChannels(), w.get(0), 3);
        long width = w.get(0);
        for (int i = 0; i <= last; i++) {
            n += resnet(width, w.get(i)) + (c.layersPerBlock() - 1) * resnet(w.get(i), w.get(i)) + (i < last ? conv(w.get(i), w.get(i), 3) : 0);
            width = w.get(i);
        }
        n += mid(width) + 2 * width + conv(width, 2 * lat, 3) + conv(2 * lat, 2 * lat, 1);
        n += conv(lat, lat, 1) + conv(lat, width, 3) + mid(width);
        for (int i = last; i >= 0; i--) {
            n += resnet(width, w.get(i)) + c.layersPerBlock() * resnet(w.get(i), w.get(i)) + (i > 0 ? conv(w.get(i), w.get(i), 3) : 0);
            width = w.get(i);
        }
        return n + 2 * width + conv(width, c.outChannels(), 3);
    }

    @Test
    void tinyHasDiffusersShapesNamesAndSize() {
        GradMode.off();
        AutoencoderKl.Config c = AutoencoderKl.Config.preset("tiny");
        assertEquals(83_653_863L, parameters(AutoencoderKl.Config.preset("sd-vae")), "the formula gives diffusers' sd-vae count");
        assertEquals(8, AutoencoderKl.Config.preset("sd-vae").downsampling());
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            AutoencoderKl vae = new AutoencoderKl(p, c, new Rng(1));
            assertEquals(parameters(c), p.numel());
            for (String name : new String[] {"encoder.conv_in.weight", "encoder.down_blocks.0.downsamplers.0.conv.weight",
                    "encoder.down_blocks.1.resnets.0.conv_shortcut.weight", "encoder.mid_block.attentions.0.group_norm.bias",
                    "encoder.conv_norm_out.weight", "quant_conv.weight", "post_quant_conv.bias", "decoder.mid_block.attentions.0.to_out.0.bias",
                    "decoder.up_blocks.0.resnets.1.norm2.weight", "decoder.up_blocks.0.upsamplers.0.conv.bias",
                    "decoder.up_blocks.1.resnets.0.conv_shortcut.weight", "decoder.conv_out.weight"}) {
                assertTrue(p.all().containsKey(name), name);
            }
            assertFalse(p.all().containsKey("encoder.down_blocks.1.downsamplers.0.conv.weight"), "no downsampler on the last block");
            assertFalse(p.all().containsKey("decoder.up_blocks.1.upsamplers.0.conv.weight"), "no upsampler on the last block");

            NDArray images = m.create(new Rng(2).gaussians(2 * 3 * 16 * 16), new Shape(2, 3, 16, 16)).tanh();
            AutoencoderKl.Posterior posterior = vae.encode(images);
            assertArrayEquals(new long[] {2, 4, 8, 8}, posterior.mean().getShape().getShape());
            assertArrayEquals(new long[] {2, 4, 8, 8}, posterior.logvar().getShape().getShape());
            assertArrayEquals(posterior.mean().toFloatArray(), posterior.sample(posterior.mean().zerosLike()).toFloatArray(), 0f);
            assertArrayEquals(new long[] {2, 3, 16, 16}, vae.decode(posterior.mode()).getShape().getShape());
            assertArrayEquals(new long[] {2, 3, 16, 16}, vae.decodeLatents(posterior.mode()).getShape().getShape());

            // quant_conv's bias pushes the log-variance far out: clamped to [−30, 20] as DiagonalGaussianDistribution.
            p.get("quant_conv.bias").set(new float[] {0, 0, 0, 0, 100, 100, -100, -100});
            float[] logvar = vae.encode(images).logvar().toFloatArray();
            assertEquals(20f, logvar[0]);
            assertEquals(-30f, logvar[3 * 64]);
        }
        assertThrows(IllegalArgumentException.class, () -> AutoencoderKl.Config.preset("sd-vae-xl"));
    }

    @Test
    void pixelsAreTheAuthorsUint8Conversion() {
        // 127.5·x + 128 truncated: −1 → 0 (0.5), 1 → 255 (clamped from 255.5), 0 → 128; channels last.
        float[] chw = {-1f, 0f, 1f, 2f, -2f, 0.5f};
        byte[] px = AutoencoderKl.toPixels(chw, 1, 3, 1, 2);
        assertArrayEquals(new byte[] {0, (byte) 255, 0, (byte) 128, (byte) 255, (byte) 191}, px);
    }

    @Test
    void groupNormNormalisesEachGroupOfEachImage() {
        GradMode.off();
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            GroupNorm norm = new GroupNorm(p, "gn", 4, 2, 1e-6, new Rng(1));
            p.get("gn.weight").set(new float[] {1f, 2f, 3f, 4f});
            p.get("gn.bias").set(new float[] {0f, 0f, 1f, -1f});
            float[] x = new Rng(3).gaussians(2 * 4 * 3);
            float[] y = norm.forward(m.create(x, new Shape(2, 4, 3))).toFloatArray();
            for (int b = 0; b < 2; b++) {
                for (int g = 0; g < 2; g++) {
                    int from = b * 12 + g * 6;
                    double mean = 0;
                    double var = 0;
                    for (int i = from; i < from + 6; i++) {
                        mean += x[i] / 6.0;
                    }
                    for (int i = from; i < from + 6; i++) {
                        var += (x[i] - mean) * (x[i] - mean) / 6.0;
                    }
                    for (int i = from; i < from + 6; i++) {
                        int ch = (i - b * 12) / 3;
                        double want = (x[i] - mean) / Math.sqrt(var + 1e-6) * (ch + 1) + new double[] {0, 0, 1, -1}[ch];
                        assertEquals(want, y[i], 1e-5, "image " + b + ", channel " + ch);
                    }
                }
            }
        }
    }
}
