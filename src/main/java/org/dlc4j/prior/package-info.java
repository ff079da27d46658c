/**
 * The prior over codes: a SEDD absorbing discrete diffusion model ({@link org.dlc4j.prior.Sedd} with its absorbing
 * graph and log-linear noise), trained on the codes the SEM encoder of sem wrote and sampled by the reverse process
 * ({@link org.dlc4j.prior.PriorSampler}). Its codes go to the DLC-conditioned DiT of dit to generate images from nothing.
 */
package org.dlc4j.prior;
