/**
 * File formats and checkpoints: safetensors and npz ({@link org.dlc4j.io.SafeTensors}, {@link org.dlc4j.io.Npz},
 * {@link org.dlc4j.io.HostTensor}), the dlc4j {@link org.dlc4j.io.Checkpoint} with its provenance metadata, SHA-256
 * pinning, atomic writes and one-line I/O error messages. Released weights (Hugging Face hub safetensors, PyTorch zip
 * checkpoints, sharded ones) are read lazily, a range at a time, through {@link org.dlc4j.io.TensorSource}. Rendering
 * for people lives in report. It depends only on util and on no engine; every model package saves and loads through it.
 */
package org.dlc4j.io;
