package org.dlc4j.io;

import static org.dlc4j.io.IoFixtures.assertUserError;
import static org.dlc4j.io.IoFixtures.noiseFile;
import static org.dlc4j.io.IoFixtures.sampleTensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    @AfterEach
    void resetHook() {
        AtomicFiles.streamHook = UnaryOperator.identity();
    }

    static Checkpoint sample(String kind, long step) {
        var meta = new Checkpoint.Meta(kind, "{\"hidden\": 64}", step, "two-moons", 1234L, "abc123-dirty",
                "dlc4j train --steps 10", Map.of("lr", "0.001", "note", "first run"));
        return new Checkpoint(meta, sampleTensors());
    }

    @Test
    void roundTripKeepsMetaAndAllDtypes() {
        var path = dir.resolve("runs/a/model.safetensors"); // parent directories are created
        var original = sample("toy-mlp", 500);
        original.save(path);

        var loaded = Checkpoint.load(path);
        assertEquals(original.meta(), loaded.meta());
        assertEquals(original.tensors(), loaded.tensors());
        assertEquals(List.copyOf(original.tensors().keySet()), List.copyOf(loaded.tensors().keySet()));

        var raw = SafeTensors.read(path).metadata();
        assertEquals("pt", raw.get("format"));
        assertEquals("toy-mlp", raw.get("dlc4j.kind"));
        assertEquals("500", raw.get("dlc4j.step"));
        assertEquals("0.001", raw.get("dlc4j.extra.lr"));
    }

    @Test
    void saveReplacesAnExistingCheckpoint() {
        var path = dir.resolve("model.safetensors");
        sample("toy-mlp", 1).save(path);
        sample("toy-mlp", 2).save(path);
        assertEquals(2, Checkpoint.load(path).meta().step());
        assertEquals(List.of(path), listDir());
    }

    @Test
    void interruptedWriteKeepsPreviousCheckpointAndLeavesNoTempFile() throws IOException {
        var path = dir.resolve("model.safetensors");
        sample("toy-mlp", 1).save(path);
        byte[] before = Files.readAllBytes(path);

        AtomicFiles.streamHook = out -> new FailAfter(out, 100, () -> new IOException("No space left on device"));
        var e = assertUserError(() -> sample("toy-mlp", 2).save(path));
        assertTrue(e.getMessage().contains("cannot write " + path), e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(path));
        assertEquals(List.of(path), listDir());
        assertEquals(1, Checkpoint.load(path).meta().step());
    }

    @Test
    void uncheckedFailureMidWriteIsRethrownAndCleanedUp() throws IOException {
        var path = dir.resolve("model.safetensors");
        sample("toy-mlp", 1).save(path);
        byte[] before = Files.readAllBytes(path);

        AtomicFiles.streamHook = out -> new FailAfter(out, 300, () -> new IllegalStateException("simulated crash"));
        var e = assertThrows(IllegalStateException.class, () -> sample("toy-mlp", 2).save(path));
        assertEquals("simulated crash", e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(path));
        assertEquals(List.of(path), listDir());
    }

    @Test
    void truncatedCheckpointIsReported() throws IOException {
        var path = dir.resolve("model.safetensors");
        sample("toy-mlp", 1).save(path);
        byte[] bytes = Files.readAllBytes(path);
        Files.write(path, Arrays.copyOf(bytes, bytes.length - 5));

        var e = assertUserError(() -> Checkpoint.load(path));
        assertEquals(path + " is truncated: expected " + bytes.length + " bytes, found " + (bytes.length - 5)
                + "; the write was interrupted — use an earlier checkpoint", e.getMessage());
    }

    @Test
    void randomBytesAndTextAreNotSafetensors() throws IOException {
        var random = noiseFile(dir.resolve("random.safetensors"), 7, 4096);
        var text = dir.resolve("readme.safetensors");
        Files.writeString(text, "# Not a checkpoint\nJust some text.\n");

        for (var path : List.of(random, text)) {
            var e = assertUserError(() -> Checkpoint.load(path));
            assertTrue(e.getMessage().startsWith(path + " is not a safetensors file"), e.getMessage());
        }
    }

    @Test
    void plainSafetensorsIsNotACheckpoint() {
        var path = dir.resolve("plain.safetensors");
        SafeTensors.write(path, sampleTensors(), Map.of("format", "pt"));
        var e = assertUserError(() -> Checkpoint.load(path));
        assertTrue(e.getMessage().startsWith(
                path + " is a safetensors file but not a dlc4j checkpoint (no dlc4j.kind metadata)"), e.getMessage());
    }

    @Test
    void wrongKindIsReported() {
        var path = dir.resolve("model.safetensors");
        sample("toy-mlp", 1).save(path);
        var e = assertUserError(() -> Checkpoint.load(path, "dlc-unet"));
        assertEquals(path + " holds a 'toy-mlp' model, but 'dlc-unet' is needed: pass a dlc-unet checkpoint", e.getMessage());
        assertEquals("toy-mlp", Checkpoint.load(path, "toy-mlp").meta().kind());
    }

    @Test
    void missingFileIsNotFound() {
        var path = dir.resolve("missing.safetensors");
        var e = assertUserError(() -> Checkpoint.load(path));
        assertTrue(e.getMessage().startsWith(path + " not found"), e.getMessage());
    }

    @Test
    void missingTensorIsReported() {
        var path = dir.resolve("model.safetensors");
        var checkpoint = sample("toy-mlp", 1);
        assertEquals(checkpoint.tensors().get("pixels"), checkpoint.tensor("pixels", path));
        var e = assertUserError(() -> checkpoint.tensor("decoder.bias", path));
        assertEquals("checkpoint " + path + " has no tensor 'decoder.bias' (was it written by an older dlc4j?)", e.getMessage());
    }

    @Test
    void corruptNumericMetadataIsReported() {
        var path = dir.resolve("model.safetensors");
        SafeTensors.write(path, new LinkedHashMap<>(), Map.of("dlc4j.kind", "toy-mlp", "dlc4j.step", "ten\nthousand"));
        var e = assertUserError(() -> Checkpoint.load(path));
        assertTrue(e.getMessage().contains("dlc4j.step"), e.getMessage());
    }

    @Test
    void metaDefaultsAndValidation() {
        var meta = new Checkpoint.Meta("toy-mlp", null, 0, null, 0, null, null, null);
        assertEquals("", meta.configJson());
        assertEquals(Map.of(), meta.extra());
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.Meta(" ", "", 0, "", 0, "", "", Map.of()));
        Provenance.setCommand("dlc4j sample --n 4");
        try {
            var current = Checkpoint.Meta.current("toy-mlp", "{}", 3, "moons", 9, Map.of());
            assertEquals("dlc4j sample --n 4", current.command());
            assertFalse(current.commit().isBlank());
        } finally {
            Provenance.setCommand("");
        }
    }

    private List<Path> listDir() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Passes bytes through until a budget is spent, then fails like a full disk or a crash would. */
    private static final class FailAfter extends FilterOutputStream {
        private long budget;
        private final Supplier<Exception> failure;

        /** {@code failure} makes IOExceptions or RuntimeExceptions, a fresh one per failed write as real streams do. */
        FailAfter(OutputStream out, long budget, Supplier<Exception> failure) {
            super(out);
            this.budget = budget;
            this.failure = failure;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int allowed = (int) Math.min(len, budget);
            out.write(b, off, allowed);
            budget -= allowed;
            if (allowed < len) {
                var e = failure.get();
                if (e instanceof IOException io) {
                    throw io;
                }
                throw (RuntimeException) e;
            }
        }
    }
}
