package org.dlc4j.hub;

/** The released models dlc4j can import, each into the model set's sub-folder of that name. */
public enum ReleasedKind {
    /** lavoies/SEM_dinov2_L512: DINOv2 ViT-L/14 with registers and the SEM head. */
    ENCODER("sem", "encoder"),
    /** lavoies/DLC_DiT_L512's transformer: DiTSEM-XL/2 on SD-VAE latents. */
    DIT("dit", "dlc"),
    /** lavoies/DLC_SEDD_L512: SEDD-medium over codes. */
    PRIOR("prior", "sedd"),
    /** The SD VAE (diffusers' AutoencoderKL) of the DiT pipeline. */
    VAE("vae", "vae");

    private final String folder;
    private final String file;

    ReleasedKind(String folder, String file) {
        this.folder = folder;
        this.file = file;
    }

    /** Where an imported model of this kind lives in a model set: {@code <folder>/<file>.safetensors}. */
    public String relativePath() {
        return folder + "/" + file + ".safetensors";
    }
}
