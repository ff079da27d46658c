/**
 * The prior over codes: the SEDD transformer {@link org.dlc4j.prior.Sedd}, its training on the codes the SEM encoder of
 * sem wrote ({@link org.dlc4j.prior.SeddTraining}) and the loaded model ({@link org.dlc4j.prior.TrainedPrior}), sampled
 * by the absorbing process of diffusion.discrete. Its codes go to the DLC-conditioned DiT of dit to generate images
 * from nothing.
 */
package org.dlc4j.prior;
