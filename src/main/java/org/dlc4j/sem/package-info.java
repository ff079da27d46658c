/**
 * The self-supervised SEM encoder that turns images into Discrete Latent Codes: a ViT or {@link org.dlc4j.sem.ResNet}
 * backbone read through a Simplicial Embedding ({@link org.dlc4j.sem.SemEncoder}), its training objectives (DINO, BYOL,
 * VICReg) with multi-crop views, {@link org.dlc4j.sem.TrainedEncoder}, which encodes images into codes, and the collapse and
 * code-usage checks. Its codes condition the DiT of dit and are what prior and text learn and compose mixes.
 */
package org.dlc4j.sem;
