package org.dlc4j.diffusion.gaussian;

import ai.djl.ndarray.NDArray;

/**
 * A trained network as the samplers see it: x_t and the model's own timestep indices in, raw output out
 * (ε, followed by the variance interpolation v when σ is learned; channels on axis 1).
 */
@FunctionalInterface
public interface Denoiser {
    NDArray apply(NDArray x, int[] t);
}
