package org.dlc4j.diffusion.gaussian;

import ai.djl.ndarray.NDArray;
import java.util.function.Supplier;

/** DDIM (Song et al. 2021): η = 0 is deterministic, η = 1 matches DDPM's posterior variance. */
public record DdimSampler(GaussianDiffusion diffusion, double eta, boolean clipDenoised) implements GaussianSampler {
    @Override
    public NDArray step(Denoiser model, NDArray x, int i, Supplier<NDArray> noise) {
        int n = (int) x.getShape().get(0);
        int[] t = GaussianSampler.fill(n, i);
        var p = diffusion.pMeanVariance(model.apply(x, GaussianSampler.modelTimesteps(diffusion, n, i)), x, t, clipDenoised);
        NDArray eps = diffusion.epsFromX0(x, t, p.predX0());
        double ab = diffusion.alphaCumprod(i);
        double abPrev = diffusion.alphaCumprodPrev(i);
        double sigma = eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
        NDArray mean = p.predX0().mul(Math.sqrt(abPrev)).add(eps.mul(Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))));
        if (i == 0 || sigma == 0) {
            return mean;
        }
        return mean.add(noise.get().mul(sigma));
    }
}
