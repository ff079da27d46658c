package org.dlc4j.dit;

import java.util.List;
import org.dlc4j.util.InvalidInputException;

/**
 * A named way to train a DiT on Fashion-MNIST: the size preset, the image size it works at, the batch and the loss
 * weighting. {@link #PAPER} is the reference's recipe as issue 5 set it up; {@link #FAST} is what issue 25's A/B
 * measured to learn fastest per image and per CPU-hour on 2 cores (docs/results/dit.md, "Which recipe learns fastest").
 *
 * @param name            how the command line names it
 * @param preset          the model size ({@link DiT.Config#preset})
 * @param image           the side the DiT works at: 32 pads Fashion-MNIST by 2 pixels, 28 is its native size
 * @param batch           images per optimiser step
 * @param minSnrGamma     min-SNR-γ loss weighting (0: the reference's unweighted loss)
 * @param checkpointEvery steps between resumable checkpoints (a few minutes of training on 2 cores)
 */
public record DitRecipe(String name, String preset, int image, int batch, double minSnrGamma, long checkpointEvery) {
    /** The reference's recipe: DiT-T/4 on 32 px (padded), batch 128, the plain hybrid loss. */
    public static final DitRecipe PAPER = new DitRecipe("paper", "DiT-T/4", 32, 128, 0, 200);

    /**
     * Issue 25's winner: native 28 px (49 patches of 4 instead of 64 mostly padding, 1.35× faster), batch 16 (the DiT is
     * limited by optimiser steps at these lengths: batch 8 learns more per image but no more per second) and min-SNR-5
     * weighting (which pays once the batch is small).
     */
    public static final DitRecipe FAST = new DitRecipe("fast", "DiT-T/4", 28, 16, 5, 2000);

    public static final List<DitRecipe> ALL = List.of(FAST, PAPER);

    public static DitRecipe parse(String name) {
        for (DitRecipe r : ALL) {
            if (r.name.equals(name)) {
                return r;
            }
        }
        throw InvalidInputException.of("recipe", "DiT recipe '" + name + "' is not fast or paper");
    }

    /** The unconditioned model: the recipe's preset, or {@code otherPreset} when not null, at this recipe's image size. */
    public DiT.Config model(String otherPreset) {
        DiT.Config p = DiT.Config.preset(otherPreset != null ? otherPreset : preset);
        return p.resized(image, p.patch(), p.dim(), p.depth(), p.heads());
    }

    /**
     * The unconditioned model for one's own pictures of {@code image} px and {@code channels} channels: the preset at that
     * size, with patch 8 from 64 px so that the token grid stays the 8×8 DiT-T/4 has at 32 px.
     */
    public DiT.Config model(String otherPreset, int image, int channels) {
        DiT.Config p = DiT.Config.preset(otherPreset != null ? otherPreset : preset);
        int patch = image / p.patch() > 8 ? image / 8 : p.patch();
        return p.resized(image, patch, p.dim(), p.depth(), p.heads()).forImages(image, channels);
    }

    /** The training config of {@code model} (conditioned as the caller needs) for this recipe, seeded. */
    public DitTraining.Config training(DiT.Config model, long seed) {
        return DitTraining.Config.fmnist(model, seed).withBatch(batch).withMinSnr(minSnrGamma).withCheckpointEvery(checkpointEvery);
    }
}
