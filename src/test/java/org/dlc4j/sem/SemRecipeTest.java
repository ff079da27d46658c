package org.dlc4j.sem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.dlc4j.pipeline.ModelStore;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;

/** The recipe a person writes, turned into the training config: the shipped one reproduces the shipped encoder's shape. */
class SemRecipeTest {
    @Test
    void theShippedRecipeBuildsTheShippedEncodersConfig() {
        SemTraining.Config c = SemRecipe.shipped().config(0);
        assertEquals(SemTraining.Objective.VICREG, c.objective());
        try (NDManager m = NDManager.newBaseManager(); TrainedEncoder shipped = TrainedEncoder.load(m, ModelStore.shipped().encoder())) {
            assertEquals(org.dlc4j.io.Json.GSON.toJson(shipped.config()), org.dlc4j.io.Json.GSON.toJson(c.encoder()), "models/sem/fmnist-sem-32x64 was trained with this recipe");
        }
    }

    @Test
    void nonsenseIsRefusedNamingTheInput() {
        var base = SemRecipe.shipped();
        assertEquals("objective", assertThrows(InvalidInputException.class, () -> new SemRecipe("fmnist", "32x64", "resnet", "simclr", null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null).config(0)).parameter());
        assertEquals("shape", assertThrows(InvalidInputException.class, () -> new SemRecipe("fmnist", "32by64", "resnet", "vicreg", null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null).config(0)).parameter());
        var e = assertThrows(InvalidInputException.class, () -> new SemRecipe("fmnist", "32x64", "resnet", "byol", null, null, null, null, 2, null, null,
                null, null, null, null, null, null, null, null).config(0));
        assertTrue(e.getMessage().startsWith("locals ") && e.getMessage().contains("two views"), e.getMessage());
        assertEquals("global-scale", assertThrows(InvalidInputException.class, () -> new SemRecipe("fmnist", "32x64", "vit", "dino", null, null, null,
                null, null, null, null, null, null, null, "0.5,2", null, null, null, null).config(0)).parameter());
        assertEquals(base, SemRecipe.shipped());
    }
}
