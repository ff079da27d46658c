/**
 * Text to codes: a masked-diffusion transformer ({@link org.dlc4j.text.TextToDlc}, trained with LLaDA's objective and
 * sampled by unmasking, both in diffusion.discrete) that reads a prompt through the frozen MiniLM
 * {@link org.dlc4j.text.TextEncoder} and writes a Discrete Latent Code, trained on codes from sem paired with captions
 * of their class. Its codes go to the DLC-conditioned DiT of dit, which draws the image.
 */
package org.dlc4j.text;
