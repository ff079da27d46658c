package org.dlc4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.dlc4j.io.Json;
import org.dlc4j.nn.GradMode;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;
import org.dlc4j.vae.AutoencoderKl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * dlc4j's AutoencoderKl at sd-vae against diffusers' own AutoencoderKL (parity/vae_goldens.py): the encoder's posterior
 * and a sample of it, the decoder, and the authors' sampling pipeline from a 32×32×4 latent to 256×256 pixels. The
 * weights are parity/hashed.py's seeded tensors, recomputed here from the (name, shape, scale, offset) list each golden
 * carries; the goldens are float64 computations from those float32 weights.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VaeParityTest {
    /** Relative to the largest expected magnitude, as {@link Golden}; ~90 layers deep in float32. */
    private static final double TOL = 1e-4;

    /** One seeded tensor of {@code spec.weights}. */
    record Hashed(String name, long[] shape, double scale, double offset) {}

    private NDManager manager;
    private Params params;
    private AutoencoderKl vae;
    private byte[] weights;

    @BeforeAll
    void build() {
        GradMode.off();
        manager = NDManager.newBaseManager();
        params = new Params(manager);
        vae = new AutoencoderKl(params, AutoencoderKl.Config.preset("sd-vae"), new Rng(0));
        assertEquals(83_653_863L, params.numel(), "sd-vae's parameter count (diffusers: 83,653,863)");
        weights = Golden.load("vae-encode").get("spec.weights").bytes();
        fill();
    }

    @AfterAll
    void close() {
        params.close();
        manager.close();
    }

    /** Sets every parameter from the goldens' list, which must name each exactly once with its shape. */
    private void fill() {
        Hashed[] spec = Json.GSON.fromJson(new String(weights, StandardCharsets.UTF_8), Hashed[].class);
        assertEquals(params.all().size(), spec.length, "one seeded tensor per parameter");
        for (Hashed t : spec) {
            NDArray a = params.get(t.name());
            assertArrayEquals(t.shape(), a.getShape().getShape(), t.name());
            a.set(HashedWeights.values(t.name(), Math.toIntExact(a.size()), t.scale(), t.offset()));
        }
    }

    /**
     * Runs {@code checks} on golden {@code name} in an array scope of their own, then compares the reference's count of
     * multiply-accumulates (hooks on its modules) with dlc4j's {@code macs}. The goldens share one weight list: the
     * model filled from the first is the one each was computed with.
     */
    private void check(String name, long macs, BiConsumer<Golden, NDManager> checks) {
        Golden g = Golden.load(name);
        assertArrayEquals(weights, g.get("spec.weights").bytes(), name + ": weights");
        try (NDManager m = manager.newSubManager()) {
            checks.accept(g, m);
        }
        assertEquals(g.get("output.macs").longs()[0], macs, name + ": forwardMacs against the reference's count");
    }

    @Test
    void encoderPosteriorAndSample() {
        check("vae-encode", vae.config().encodeMacs(64), (g, m) -> {
            AutoencoderKl.Posterior posterior = vae.encode(g.array(m, "input.image"));
            g.assertOutput("mean", posterior.mean(), TOL);
            g.assertOutput("logvar", posterior.logvar(), TOL);
            g.assertOutput("sample", posterior.sample(g.array(m, "input.noise")), TOL);
        });
    }

    @Test
    void decoder() {
        check("vae-decode", vae.config().decodeMacs(64), (g, m) -> g.assertOutput("image", vae.decode(g.array(m, "input.latent")), TOL));
    }

    @Test
    void samplingPipeline() {
        check("vae-pipeline", vae.config().decodeMacs(256), (g, m) -> {
            long start = System.nanoTime();
            NDArray image = vae.decodeLatents(g.array(m, "input.latents"));
            float[] got = image.toFloatArray();
            System.out.printf(Locale.ROOT, "vae: decodeLatents of one 32×32×4 latent to 256×256: %.1f s (%.0f GMAC)%n",
                    (System.nanoTime() - start) / 1e9, vae.config().decodeMacs(256) / 1e9);
            g.assertOutput("image", image, TOL);
            checkPixels(g, got);
        });
    }

    /**
     * The pipeline's uint8 conversion: exact on the golden's own float32 image; on dlc4j's image a pixel may differ
     * only by one level, and only where the expected value lies within the tolerance of a level boundary.
     */
    private static void checkPixels(Golden g, float[] got) {
        float[] want = g.floats("output.image");
        byte[] pixels = g.get("output.pixels").bytes();
        assertArrayEquals(pixels, AutoencoderKl.toPixels(want, 1, 3, 256, 256), "toPixels of the reference's image");
        byte[] mine = AutoencoderKl.toPixels(got, 1, 3, 256, 256);
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        double slack = 127.5 * TOL * scale;
        int moved = 0;
        for (int i = 0; i < pixels.length; i++) {
            if (mine[i] != pixels[i]) {
                moved++;
                int c = i % 3;
                int p = i / 3;
                double level = 127.5 * want[c * 256 * 256 + p] + 128;
                double boundary = Math.abs(level - Math.rint(level));
                int at = i;
                assertTrue(Math.abs((mine[i] & 0xFF) - (pixels[i] & 0xFF)) == 1 && boundary <= slack,
                        () -> "pixel " + at + ": " + (mine[at] & 0xFF) + " for " + (pixels[at] & 0xFF) + " at level " + level);
            }
        }
        System.out.printf(Locale.ROOT, "parity vae-pipeline pixels: %d of %d differ by one level (at level boundaries)%n", moved, pixels.length);
    }
}
