/**
 * The two diffusion processes of the paper, side by side and holding no weights: {@link org.dlc4j.diffusion.gaussian}
 * (pixels: DDPM with learned variances, DDIM, classifier-free guidance; the DiT and the toy study run on it) and
 * {@link org.dlc4j.diffusion.discrete} (tokens: SEDD's absorbing process and samplers for the prior, masked diffusion
 * and unmasking for the text-to-DLC model). A network plugs in through a small function interface.
 */
package org.dlc4j.diffusion;
