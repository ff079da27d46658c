/**
 * The authors' released checkpoints in dlc4j: {@code dlc import hf DIR} reads a Hugging Face hub folder (config.json
 * and safetensors or {@code pytorch_model.bin} weights) of the SEM encoder, the DLC-conditioned DiT-XL/2 with its SD
 * VAE, or the SEDD prior, maps the reference's parameter names onto dlc4j's models, checks every shape, and writes
 * dlc4j checkpoints that remember where they came from.
 */
package org.dlc4j.hub;
