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
    SEM;

    /** "none", "class", "dlc" or "sem". */
    public static Conditioning parse(String s) {
        for (Conditioning c : values()) {
            if (c.name().equalsIgnoreCase(s)) {
                return c;
            }
        }
        throw org.dlc4j.util.InvalidInputException.of("cond", "cond '" + s + "' is not none, class, dlc or sem");
    }
}
