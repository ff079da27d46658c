/**
 * The Diffusion Transformer that generates images in pixel space, conditioned on nothing, a class, a Discrete Latent
 * Code or a continuous SEM vector ({@link org.dlc4j.dit.Conditioning}): the network ({@link org.dlc4j.dit.DiT}), its
 * training, sampling with classifier-free guidance, and trained models pinned to their SEM encoder's hash. It runs on
 * the Gaussian process of diffusion; the codes it reads come from sem, prior, text or compose.
 */
package org.dlc4j.dit;
