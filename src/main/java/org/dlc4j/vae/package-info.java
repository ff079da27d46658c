/**
 * The Stable Diffusion VAE ({@link org.dlc4j.vae.AutoencoderKl}, diffusers' {@code AutoencoderKL} with the
 * {@code stabilityai/sd-vae-ft-ema} configuration): the autoencoder between 256×256 RGB images and the 32×32×4 latents
 * on which the paper's ImageNet DiT works. Built from {@link org.dlc4j.nn} layers under diffusers' parameter names.
 */
package org.dlc4j.vae;
