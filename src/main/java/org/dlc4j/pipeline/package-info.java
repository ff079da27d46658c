/**
 * The model set and the steps that chain the models: loading checked checkpoints, compatibility checks (code
 * shape L×V, encoder hash), conditioning a DiT, codes from the prior or the text model, composition decoding.
 */
package org.dlc4j.pipeline;
