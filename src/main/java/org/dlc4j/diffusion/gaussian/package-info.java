/**
 * Gaussian diffusion (DDPM with improved DDPM's learned variances and timestep respacing): beta schedules, the
 * training loss, DDPM and DDIM samplers and classifier-free guidance. It holds no weights; a network plugs in as a
 * {@link org.dlc4j.diffusion.gaussian.Denoiser}. The DiT of dit and the toy study both run on it.
 */
package org.dlc4j.diffusion.gaussian;
