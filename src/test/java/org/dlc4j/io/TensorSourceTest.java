package org.dlc4j.io;

import static org.dlc4j.io.IoFixtures.assertUserError;
import static org.dlc4j.io.TorchZipSourceTest.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorSourceTest {
    @TempDir
    Path dir;

    @Test
    void formatIsToldByContentNotName() throws IOException {
        var safetensors = dir.resolve("weights.bin");
        SafeTensors.write(safetensors, shard("x", 1, 2), Map.of());
        var torch = Files.copy(fixture("param.pt"), dir.resolve("weights.safetensors"));
        try (var a = TensorSource.open(safetensors); var b = TensorSource.open(torch)) {
            assertInstanceOf(SafeTensorsSource.class, a);
            assertArrayEquals(new float[] {1, 2}, a.readFloats("x", 0, 2));
            assertInstanceOf(TorchZipSource.class, b);
            assertArrayEquals(new float[] {4, -4}, b.readFloats("p", 0, 2));
        }
        var legacy = fixture("legacy.pt");
        assertTrue(assertUserError(() -> TensorSource.open(legacy)).getMessage().contains("legacy (pre-1.6, non-zip) format"));
        var text = dir.resolve("notes.txt");
        Files.writeString(text, "these are notes, not weights");
        assertEquals(text + " is neither a safetensors file nor a PyTorch checkpoint; pass model.safetensors,"
                + " pytorch_model.bin or a sharded checkpoint's .index.json",
                assertUserError(() -> TensorSource.open(text)).getMessage());
        assertTrue(assertUserError(() -> TensorSource.open(dir.resolve("gone.bin"))).getMessage().contains("not found"));
        // A safetensors header of 128 + 256k bytes starts with 0x80, pickle's PROTO: still safetensors (byte 8 is "{").
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        var padded = IoFixtures.rawSafetensors(dir.resolve("w.safetensors"), header + " ".repeat(128 - header.length()), new byte[4]);
        try (var s = TensorSource.open(padded)) {
            assertInstanceOf(SafeTensorsSource.class, s);
        }
    }

    @Test
    void aFolderOpensItsWeightsFileSafetensorsFirst() throws IOException {
        Files.copy(fixture("param.pt"), dir.resolve("pytorch_model.bin"));
        try (var source = TensorSource.open(dir)) {
            assertEquals(dir.resolve("pytorch_model.bin"), source.path());
        }
        SafeTensors.write(dir.resolve("model.safetensors"), shard("x", 1), Map.of());
        try (var source = TensorSource.open(dir)) {
            assertEquals(List.of("x"), source.names());
        }
        var empty = Files.createDirectory(dir.resolve("empty"));
        assertTrue(assertUserError(() -> TensorSource.open(empty)).getMessage()
                .startsWith(empty + " holds no weights file (looked for model.safetensors, model.safetensors.index.json,"));
    }

    @Test
    void shardsReadAsOneSource() throws IOException {
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), shard("b", 1, 2, "a", 3), Map.of());
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), shard("c", 4, 5, 6, "unmapped", 0), Map.of());
        var index = index("model.safetensors.index.json", Map.of(
                "a", "model-00001-of-00002.safetensors", "b", "model-00001-of-00002.safetensors",
                "c", "model-00002-of-00002.safetensors"));
        try (var source = TensorSource.open(dir)) {
            assertInstanceOf(ShardedSource.class, source);
            assertEquals(index, source.path());
            assertEquals(List.of("b", "a", "c"), source.names());
            assertEquals(new TensorInfo("c", "F32", new long[] {3}), source.info("c"));
            assertArrayEquals(new float[] {3}, source.readFloats("a", 0, 1));
            assertArrayEquals(new float[] {5, 6}, source.readFloats("c", 1, 2));
            assertTrue(assertUserError(() -> source.info("unmapped")).getMessage()
                    .equals(index + " has no tensor 'unmapped'; check that it is the checkpoint of the model its config describes"));
        }
    }

    @Test
    void shardedTorchCheckpointsToo() throws IOException {
        Files.copy(fixture("param.pt"), dir.resolve("pytorch_model-1.bin"));
        Files.copy(fixture("int8.pt"), dir.resolve("pytorch_model-2.bin"));
        index("pytorch_model.bin.index.json", Map.of("p", "pytorch_model-1.bin", "q", "pytorch_model-2.bin"));
        try (var source = TensorSource.open(dir)) {
            assertArrayEquals(new float[] {4, -4}, source.readFloats("p", 0, 2));
            assertArrayEquals(new long[] {-128, 0, 127}, source.readLongs("q", 0, 3));
        }
    }

    @Test
    void brokenIndexesAreRefusedInOneLine() throws IOException {
        SafeTensors.write(dir.resolve("one.safetensors"), shard("a", 1), Map.of());
        var missing = index("missing.index.json", Map.of("a", "one.safetensors", "b", "two.safetensors"));
        assertEquals(missing + " lists shard two.safetensors, which is missing from " + dir.toAbsolutePath()
                + "; download every file the index lists", assertUserError(() -> TensorSource.open(missing)).getMessage());
        var wrong = index("wrong.index.json", Map.of("z", "one.safetensors"));
        assertTrue(assertUserError(() -> TensorSource.open(wrong)).getMessage()
                .contains("puts tensor 'z' in one.safetensors, which does not hold it"));
        var escape = index("escape.index.json", Map.of("a", "../one.safetensors"));
        assertTrue(assertUserError(() -> TensorSource.open(escape)).getMessage()
                .contains("names shard '../one.safetensors', which is not a file beside the index"));
        for (String text : List.of("not json", "[1]", "{\"metadata\": {}}", "{\"weight_map\": {\"a\": [1]}}")) {
            var bad = Files.writeString(dir.resolve("bad.index.json"), text);
            assertTrue(assertUserError(() -> TensorSource.open(bad)).getMessage()
                    .contains("is not a sharded checkpoint's index"), text);
        }
    }

    /** F32 tensors from alternating names and values: ("a", 1, 2, "b", 3) gives a = [1, 2], b = [3]. */
    private static LinkedHashMap<String, HostTensor> shard(Object... namesAndValues) {
        var tensors = new LinkedHashMap<String, HostTensor>();
        for (int i = 0; i < namesAndValues.length; ) {
            String name = (String) namesAndValues[i++];
            int start = i;
            while (i < namesAndValues.length && namesAndValues[i] instanceof Integer) {
                i++;
            }
            float[] values = new float[i - start];
            for (int j = 0; j < values.length; j++) {
                values[j] = (Integer) namesAndValues[start + j];
            }
            tensors.put(name, HostTensor.ofFloats(new long[] {values.length}, values));
        }
        return tensors;
    }

    private Path index(String name, Map<String, String> weightMap) {
        var path = dir.resolve(name);
        AtomicFiles.writeString(path, Json.write(Map.of("metadata", Map.of("total_size", 0), "weight_map",
                new java.util.TreeMap<>(weightMap))));
        return path;
    }
}
