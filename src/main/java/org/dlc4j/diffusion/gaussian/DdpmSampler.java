package org.dlc4j.diffusion.gaussian;

import ai.djl.ndarray.NDArray;
import java.util.function.Supplier;

/** Ancestral sampling of p_θ(x_{t−1} | x_t) (DDPM), with learned or fixed variances. */
public record DdpmSampler(GaussianDiffusion diffusion, boolean clipDenoised) implements GaussianSampler {
    @Override
    public NDArray step(Denoiser model, NDArray x, int i, Supplier<NDArray> noise) {
        int n = (int) x.getShape().get(0);
        int[] t = GaussianSampler.fill(n, i);
        var p = diffusion.pMeanVariance(model.apply(x, GaussianSampler.modelTimesteps(diffusion, n, i)), x, t, clipDenoised);
        if (i == 0) {
            return p.mean();
        }
        return p.mean().add(p.logVariance().mul(0.5).exp().mul(noise.get()));
    }
}
