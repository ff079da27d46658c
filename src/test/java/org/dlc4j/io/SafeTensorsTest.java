package org.dlc4j.io;

import static org.dlc4j.io.IoFixtures.assertUserError;
import static org.dlc4j.io.IoFixtures.noiseFile;
import static org.dlc4j.io.IoFixtures.sampleTensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsTensorsOrderAndMetadata() {
        var path = dir.resolve("t.safetensors");
        var meta = Map.of("greeting", "héllo <world> \"quoted\"\nnext line");
        SafeTensors.write(path, sampleTensors(), meta);

        var back = SafeTensors.read(path);
        assertEquals(sampleTensors(), back.tensors());
        assertEquals(List.copyOf(sampleTensors().keySet()), List.copyOf(back.tensors().keySet()));
        assertEquals(meta, back.metadata());
    }

    @Test
    void headerIsSpacePaddedToAMultipleOfEight() throws IOException {
        var out = new ByteArrayOutputStream();
        SafeTensors.write(out, sampleTensors(), Map.of("k", "v"));
        byte[] bytes = out.toByteArray();
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"));
        assertTrue(header.stripTrailing().endsWith("}"));
        long dataBytes = sampleTensors().values().stream().mapToLong(t -> t.data().length).sum();
        assertEquals(8 + n + dataBytes, bytes.length);
    }

    @Test
    void emptyMetadataIsOmitted() throws IOException {
        var out = new ByteArrayOutputStream();
        SafeTensors.write(out, new LinkedHashMap<>(), null);
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("__metadata__"));
        var path = dir.resolve("empty.safetensors");
        Files.write(path, out.toByteArray());
        assertTrue(SafeTensors.read(path).tensors().isEmpty());
    }

    @Test
    void missingFileIsReportedAsNotFound() {
        var e = assertUserError(() -> SafeTensors.read(dir.resolve("nope.safetensors")));
        assertTrue(e.getMessage().contains("nope.safetensors not found"), e.getMessage());
    }

    @Test
    void truncatedDataIsReported() throws IOException {
        var path = dir.resolve("t.safetensors");
        SafeTensors.write(path, sampleTensors(), Map.of());
        byte[] full = Files.readAllBytes(path);
        Files.write(path, Arrays.copyOf(full, full.length - 3));
        var e = assertUserError(() -> SafeTensors.read(path));
        assertTrue(e.getMessage().contains("is truncated: expected " + full.length + " bytes, found " + (full.length - 3)),
                e.getMessage());
        // The lazy reader of downloaded weights checks the same, naming its own fix.
        assertEquals(path + " is truncated: expected " + full.length + " bytes, found " + (full.length - 3)
                + "; the download was interrupted — download it again",
                assertUserError(() -> SafeTensorsSource.open(path)).getMessage());
    }

    @Test
    void fileShorterThanItsHeaderIsTruncated() throws IOException {
        var path = dir.resolve("t.safetensors");
        SafeTensors.write(path, sampleTensors(), Map.of());
        Files.write(path, Arrays.copyOf(Files.readAllBytes(path), 20));
        assertTrue(assertUserError(() -> SafeTensors.read(path)).getMessage().contains("is truncated"));
        Files.write(path, new byte[] {1, 2, 3});
        assertTrue(assertUserError(() -> SafeTensors.read(path)).getMessage().contains("is truncated: expected 8 bytes, found 3"));
    }

    @Test
    void headersThatAreNotSafetensorsAreRejected() throws IOException {
        for (String header : List.of("not json at all", "{a: 1}", "[1, 2]", "{\"x\": 3}",
                "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}",
                "{\"x\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}",
                "{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}",
                "{\"__metadata__\": {\"k\": 1}}", "{} {}")) {
            var path = rawFile("h.safetensors", header, new byte[4]);
            var e = assertUserError(() -> SafeTensors.read(path));
            assertTrue(e.getMessage().contains("is not a safetensors file"), header + " -> " + e.getMessage());
        }
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        var path = rawFile("h.safetensors", "{\"x\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", new byte[3]);
        assertTrue(assertUserError(() -> SafeTensors.read(path)).getMessage().contains("unexpected bytes"));
    }

    @Test
    void unknownDtypeIsNamed() throws IOException {
        var path = rawFile("bf16.safetensors", "{\"x\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", new byte[4]);
        var e = assertUserError(() -> SafeTensors.read(path));
        assertTrue(e.getMessage().contains("tensor 'x' of dtype BF16"), e.getMessage());
    }

    @Test
    void randomBytesAndTextAreNotSafetensors() throws IOException {
        var random = noiseFile(dir.resolve("random.bin"), 1, 1000);
        var text = dir.resolve("notes.txt");
        Files.writeString(text, "these are some notes, not a model\n".repeat(20));
        for (var path : List.of(random, text)) {
            var e = assertUserError(() -> SafeTensors.read(path));
            assertTrue(e.getMessage().contains(path + " is not a safetensors file"), e.getMessage());
        }
    }

    /** Reads our file with nothing but the Python standard library, checking the layout the spec demands. */
    @Test
    void pythonStdlibParsesOurLayout() throws IOException {
        PythonSupport.assumeModule("json");
        var path = dir.resolve("t.safetensors");
        SafeTensors.write(path, sampleTensors(), Map.of("k", "v"));
        String out = PythonSupport.run("""
                import json, struct, sys
                b = open(sys.argv[1], 'rb').read()
                n = struct.unpack('<Q', b[:8])[0]
                assert n % 8 == 0
                h = json.loads(b[8:8 + n])
                data = b[8 + n:]
                ts = sorted((v['data_offsets'], k) for k, v in h.items() if k != '__metadata__')
                end = 0
                for (s, e), k in ts:
                    assert s == end, k
                    end = e
                assert end == len(data)
                w = h['z.weight']; s, e = w['data_offsets']
                print(h['__metadata__']['k'], w['dtype'], w['shape'], struct.unpack('<6f', data[s:e])[:4])
                """, path);
        assertEquals("v F32 [2, 3] (1.0, -2.0, 3.5, 0.0)", out.strip());
    }

    @Test
    void pythonSafetensorsLibraryRoundTrips() throws IOException {
        PythonSupport.assumeModule("safetensors.numpy");
        var ours = dir.resolve("ours.safetensors");
        var theirs = dir.resolve("theirs.safetensors");
        var tensors = sampleTensors();
        SafeTensors.write(ours, tensors, Map.of("k", "v"));
        String out = PythonSupport.run("""
                import sys
                from safetensors.numpy import load_file, save_file
                from safetensors import safe_open
                t = load_file(sys.argv[1])
                with safe_open(sys.argv[1], 'np') as f:
                    print(f.metadata()['k'], t['z.weight'].shape, t['a.steps'].tolist(), t['pixels'].tolist())
                save_file(t, sys.argv[2], metadata={'from': 'python'})
                """, ours, theirs);
        assertEquals("v (2, 3) [9223372036854775807, -1, 0] [0, 1, 127, 128, 255]", out.strip());
        var back = SafeTensors.read(theirs);
        assertEquals(Map.of("from", "python"), back.metadata());
        tensors.forEach((name, t) -> assertEquals(t, back.tensors().get(name), name));
    }

    private Path rawFile(String name, String header, byte[] data) throws IOException {
        return IoFixtures.rawSafetensors(dir.resolve(name), header, data);
    }
}
