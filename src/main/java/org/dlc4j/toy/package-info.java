/**
 * The paper's 2-D toy system (Section 3): a grid mixture of Gaussians ({@link org.dlc4j.toy.GridMixture}), the MLP
 * denoiser, EM for the GMM "oracle" codes ({@link org.dlc4j.toy.GaussianMixtureEm}), and the KDE estimate of the KL
 * ({@link org.dlc4j.toy.KlEstimator}). The study that trains and compares them is experiments.ToyStudy; the diffusion
 * it runs is diffusion.gaussian.
 */
package org.dlc4j.toy;
