package org.dlc4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dlc4j.data.ImageFolder;
import org.dlc4j.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model folder tells which layout it has, which data its chain read, and how it read the pictures. */
class ModelStoreTest {
    private static ModelStore chainOf(Path dir, String data) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(ModelStore.CHAIN_MARKER), "{\"quick\":false,\"seed\":0,\"dit\":\"fast\",\"data\":" + Json.GSON.toJson(data) + "}\n");
        return ModelStore.open(dir);
    }

    @Test
    void aChainReadsPicturesGivenLaterAsItReadItsData(@TempDir Path dir) throws Exception {
        var padded = ImageFolder.Options.colour(32).withFit(ImageFolder.Fit.PAD).withBackground(0x102030);
        ModelStore store = chainOf(dir.resolve("pad"), ModelStore.describePictures(dir.resolve("my pictures"), padded));
        assertTrue(store.chain());
        assertFalse(store.fashionMnist());
        var back = store.pictures(32, 3);
        assertEquals(ImageFolder.Fit.PAD, back.fit());
        assertEquals(0x102030, back.background());
        // The marker of a chain made before the background was recorded: read over white, as it was.
        var old = chainOf(dir.resolve("old"), "/data/emoji 32px 3ch crop").pictures(16, 1);
        assertEquals(ImageFolder.Fit.CROP, old.fit());
        assertEquals(0xFFFFFF, old.background());
        assertEquals(16, old.size());
        assertEquals(1, old.channels());
        assertEquals("/data/emoji 32px 3ch crop", ModelStore.describePictures(Path.of("/data/emoji"), ImageFolder.Options.colour(32)),
                "white keeps the marker of older chains, so they go on");
    }

    @Test
    void fashionMnistAndTheShippedLayoutReadThePlainWay(@TempDir Path dir) throws Exception {
        ModelStore fm = chainOf(dir.resolve("fm"), ModelStore.FASHION_MNIST_DATA);
        assertTrue(fm.chain() && fm.fashionMnist());
        assertEquals(ImageFolder.Fit.CROP, fm.pictures(28, 1).fit());
        ModelStore shipped = ModelStore.open(Files.createDirectories(dir.resolve("models")));
        assertFalse(shipped.chain());
        assertTrue(shipped.fashionMnist());
        assertTrue(shipped.dit(org.dlc4j.dit.Conditioning.DLC).toString().endsWith("dit/fmnist-dlc.safetensors"));
    }
}
