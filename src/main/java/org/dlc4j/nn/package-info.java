/**
 * Layers and training machinery shared by every model, on DJL with PyTorch-style weight names
 * ({@link org.dlc4j.nn.Params}): linear, convolution, norm, attention, transformer and adaLN-Zero blocks, embeddings and
 * rotary positions, and the {@link org.dlc4j.nn.AdamW} optimizer, EMA, gradient clipping, learning-rate schedules and
 * the resumable {@link org.dlc4j.nn.Trainer} loop. sem, dit, prior, text, eval and toy build their networks from it.
 */
package org.dlc4j.nn;
