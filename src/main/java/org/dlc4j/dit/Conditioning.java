package org.dlc4j.dit;

/** What the DiT is conditioned on; one network, chosen by config (the paper's Table 2 rows). */
public enum Conditioning {
    /** Unconditional. */
    NONE,
    /** A class label, with a null label for guidance (DiT's LabelEmbedder). */
    CLASS,
    /** A Discrete Latent Code: per-position token embeddings, averaged (the reference's SEMEmbedder). */
    DLC,
    /** The continuous SEM vector through a linear layer, with a learned null vector (the reference's ContEmbedder). */
    SEM
}
