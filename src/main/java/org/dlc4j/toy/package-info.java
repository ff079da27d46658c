/**
 * The paper's 2-D toy study (Sec. 3, Fig. 2): diffusion models fitted to a grid of Gaussians unconditionally, with
 * the oracle component, or with the component a fitted Gaussian mixture infers, scored by a KDE estimate of
 * KL(p_data ‖ p_θ) and written as an HTML report ({@link org.dlc4j.toy.ToyStudy}). It uses diffusion and nn and is
 * independent of the image models.
 */
package org.dlc4j.toy;
