/**
 * Discrete diffusion over codes: SEDD's absorbing graph ({@link org.dlc4j.diffusion.discrete.Absorbing}) with its
 * log-linear noise and the reverse samplers ({@link org.dlc4j.diffusion.discrete.PriorSampler}: analytic, Euler,
 * remasking), and LLaDA's masked diffusion ({@link org.dlc4j.diffusion.discrete.MaskedDiffusion}) with its unmasking
 * sampler ({@link org.dlc4j.diffusion.discrete.Unmasking}). It holds no weights; the prior and the text model plug in
 * as score or logits functions.
 */
package org.dlc4j.diffusion.discrete;
