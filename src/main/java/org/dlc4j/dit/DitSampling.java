package org.dlc4j.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.dlc4j.diffusion.gaussian.Denoiser;
import org.dlc4j.diffusion.gaussian.GaussianSampler;
import org.dlc4j.diffusion.gaussian.Guidance;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;
import org.dlc4j.util.StoppedException;

/**
 * Draws images from a trained DiT: one image per condition, with classifier-free guidance when the scale is not 1
 * (the conditional and null branches in one doubled forward pass, only the ε channels guided, as the reference's
 * {@code forward_with_cfg}), optionally only for model timesteps ≤ tMax.
 */
public final class DitSampling {
    /**
     * @param scale guidance scale s ≥ 0 (1: plain conditional sampling; ignored by an unconditional model)
     * @param tMax  guide only while the model timestep is ≤ tMax (Integer.MAX_VALUE: always)
     */
    public record Options(SamplerConfig sampler, double scale, int tMax, int batch) {
        public Options {
            if (!(scale >= 0)) {
                throw new IllegalArgumentException("guidance scale must be ≥ 0, not " + scale);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be positive, not " + batch);
            }
        }
    }

    private DitSampling() {}

    /**
     * The network as the sampler calls it for these conditions: with classifier-free guidance at {@code scale} (each
     * image beside its null copy in one forward pass, the reference's forward_with_cfg) unless the model is
     * unconditional or the scale is 1.
     */
    public static Denoiser denoiser(DiT model, Condition conditions, double scale, int tMax) {
        DiT.Config c = model.config();
        if (c.conditioning() == Conditioning.NONE || scale == 1.0) {
            return (x, t) -> model.forward(x, t, conditions);
        }
        Condition doubled = conditions.withNullCopy();
        return Guidance.classifierFree((x, t) -> model.forward(x, t, doubled), scale, c.channels(), tMax);
    }

    /** What the sampler's progress is called when reported to the {@link Listener}. */
    public static final String TASK = "denoising";

    /** Images [N, C, S, S] in [−1, 1] (clipped), N = {@code conditions.count()}, row-major floats. */
    public static float[] sample(NDManager manager, DiT model, Condition conditions, Options o, Rng rng) {
        float[] x = latents(manager, model, conditions, o, rng);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(-1f, Math.min(1f, x[i]));
        }
        return x;
    }

    /**
     * What the sampler ends at, [N, C, S, S], unclipped: a DiT of pixels clips it to [−1, 1] ({@link #sample}); a DiT of
     * VAE latents hands it to the VAE.
     */
    public static float[] latents(NDManager manager, DiT model, Condition conditions, Options o, Rng rng) {
        DiT.Config c = model.config();
        GaussianSampler sampler = o.sampler().build(DitTraining.diffusion(c));
        int n = conditions.count();
        int size = c.image();
        int per = c.channels() * size * size;
        float[] out = new float[n * per];
        Listener listener = Listener.current();
        long total = (long) ((n + o.batch() - 1) / o.batch()) * sampler.numSteps();
        for (int start = 0; start < n; start += o.batch()) {
            int end = Math.min(n, start + o.batch());
            Condition chunk = conditions.slice(start, end);
            Denoiser denoiser = denoiser(model, chunk, o.scale(), o.tMax());
            long before = (long) (start / o.batch()) * sampler.numSteps();
            int count = end - start;
            GaussianSampler.StepObserver observer = (done, xi) -> {
                listener.progress(TASK, before + done, total, "");
                if (listener.wantsPreviews() && c.channels() == 1) {
                    listener.preview(TASK, before + done, total, xi.toFloatArray(), count, size);
                }
                if (listener.stopRequested()) {
                    throw new StoppedException(TASK);
                }
            };
            try (NDManager scope = manager.newSubManager()) {
                NDArray xT = scope.create(rng.gaussians(count * per), new Shape(count, c.channels(), size, size));
                float[] x = sampler.sample(denoiser, xT, rng, observer).toFloatArray();
                System.arraycopy(x, 0, out, start * per, x.length);
            }
        }
        listener.done(TASK);
        return out;
    }
}
