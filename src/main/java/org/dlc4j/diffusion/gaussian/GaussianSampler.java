package org.dlc4j.diffusion.gaussian;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import org.dlc4j.util.Rng;

/**
 * The shared sampler contract: a sampler walks a (respaced) process from step {@code numSteps() − 1} down
 * to 0, one {@link #step} at a time. Noise comes from the caller's {@link Rng}, so a seed fixes the samples.
 */
public sealed interface GaussianSampler permits DdpmSampler, DdimSampler {
    /** The respaced process this sampler walks. */
    GaussianDiffusion diffusion();

    default int numSteps() {
        return diffusion().numSteps();
    }

    /** x_{i} → x_{i−1} (in the respaced process), drawing its Gaussian noise from {@code rng} when it needs any. */
    default NDArray step(Denoiser model, NDArray x, int i, Rng rng) {
        return step(model, x, i, () -> gaussianLike(x, rng));
    }

    /**
     * x_{i} → x_{i−1} with the step's standard Gaussian draw (shaped like x) taken from {@code noise}, called only by a
     * step that adds noise; parity tests replay the reference's own draw through it.
     */
    NDArray step(Denoiser model, NDArray x, int i, java.util.function.Supplier<NDArray> noise);

    /** Runs every step from pure noise {@code xT}; temporaries of each step are freed as it ends. */
    default NDArray sample(Denoiser model, NDArray xT, Rng rng) {
        return sample(model, xT, rng, (done, x) -> { });
    }

    /** Hears the state after each step of {@link #sample}: {@code done} steps of {@link #numSteps()}, and x. */
    @FunctionalInterface
    interface StepObserver {
        void after(int done, NDArray x);
    }

    /** As {@link #sample(Denoiser, NDArray, Rng)}, telling {@code observer} after each step. */
    default NDArray sample(Denoiser model, NDArray xT, Rng rng, StepObserver observer) {
        NDArray x = xT;
        for (int i = numSteps() - 1; i >= 0; i--) {
            NDArray next;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                next = step(model, x, i, rng);
                NDScope.unregister(next);
            }
            if (x != xT) {
                x.close();
            }
            x = next;
            observer.after(numSteps() - i, x);
        }
        return x;
    }

    /** One t value per batch element, as the diffusion maths wants it. */
    static int[] fill(int n, int t) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, t);
        return a;
    }

    /** Model timesteps (of the original process) for step i. */
    static int[] modelTimesteps(GaussianDiffusion d, int n, int i) {
        return fill(n, d.modelTimestep(i));
    }

    static NDArray gaussianLike(NDArray x, Rng rng) {
        return x.getManager().create(rng.gaussians((int) x.size()), x.getShape());
    }
}
