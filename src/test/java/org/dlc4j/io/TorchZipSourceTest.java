package org.dlc4j.io;

import static org.dlc4j.io.IoFixtures.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against files written by a real torch.save (parity/torch_fixtures.py, torch 1.13), committed as test resources. */
class TorchZipSourceTest {
    @TempDir
    Path dir;

    /** A module's state_dict order: its own buffers first, then its children's parameters. */
    static final List<String> STATE_DICT = List.of("steps", "lin.weight", "lin.bias", "h16.weight", "b16.weight", "f64.weight");

    static Path fixture(String name) {
        try {
            return Path.of(TorchZipSourceTest.class.getResource("/io/torch/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void stateDictOfEveryFloatingDtypeAndAnIntegerBuffer() {
        for (String file : List.of("dtypes.pt", "proto4.pt")) {
            try (var source = TorchZipSource.open(fixture(file))) {
                assertEquals(STATE_DICT, source.names(), file);
                assertStateDict(source, "");
            }
        }
    }

    static void assertStateDict(TensorSource source, String prefix) {
        assertEquals(new TensorInfo(prefix + "lin.weight", "F32", new long[] {2, 3}), source.info(prefix + "lin.weight"));
        assertArrayEquals(new float[] {0.5f, -1, 2, 3.25f, 0, -0.125f}, source.readFloats(prefix + "lin.weight", 0, 6));
        assertArrayEquals(new float[] {1, -2}, source.readFloats(prefix + "lin.bias", 0, 2));
        assertEquals(new TensorInfo(prefix + "h16.weight", "F16", new long[] {1, 4}), source.info(prefix + "h16.weight"));
        assertArrayEquals(new float[] {1.5f, -0x1p-10f, 65504, 0x1p-24f}, source.readFloats(prefix + "h16.weight", 0, 4));
        assertEquals("BF16", source.info(prefix + "b16.weight").dtype());
        assertArrayEquals(new float[] {1, -3.140625f, 0x1p100f}, source.readFloats(prefix + "b16.weight", 0, 3));
        assertEquals("F64", source.info(prefix + "f64.weight").dtype());
        assertArrayEquals(new float[] {0.1f, -2.5f}, source.readFloats(prefix + "f64.weight", 0, 2));
        assertEquals(new TensorInfo(prefix + "steps", "I64", new long[] {3}), source.info(prefix + "steps"));
        assertFalse(source.info(prefix + "steps").floating());
        assertArrayEquals(new long[] {-1, 1L << 40, 7}, source.readLongs(prefix + "steps", 0, 3));
        assertArrayEquals(new float[] {-1, 2}, source.readFloats(prefix + "lin.weight", 1, 2));
    }

    @Test
    void transposedViewsAreGatheredAndSharedStoragesReadAtTheirOffsets() {
        try (var source = TorchZipSource.open(fixture("views.pt"))) {
            assertEquals(List.of("t", "a", "b"), source.names());
            // t = arange(6).reshape(2, 3).t(): shape [3, 2], strides (1, 3)
            assertEquals(new TensorInfo("t", "F32", new long[] {3, 2}), source.info("t"));
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, source.readFloats("t", 0, 6));
            assertArrayEquals(new float[] {3, 1, 4, 2}, source.readFloats("t", 1, 4));
            assertArrayEquals(new float[] {5}, source.readFloats("t", 5, 1));
            // a = s[2:5] and b = s[6:10].view(2, 2) of one storage s = arange(10)
            assertArrayEquals(new float[] {2, 3, 4}, source.readFloats("a", 0, 3));
            assertEquals(new TensorInfo("b", "F32", new long[] {2, 2}), source.info("b"));
            assertArrayEquals(new float[] {6, 7, 8, 9}, source.readFloats("b", 0, 4));
            assertArrayEquals(new float[] {8}, source.readFloats("b", 2, 1));
        }
    }

    @Test
    void nestedDictsAreFlattenedAndOtherLeavesSkipped() {
        try (var source = TorchZipSource.open(fixture("nested.pt"))) {
            assertEquals(STATE_DICT.stream().map(n -> "model." + n).toList(), source.names());
            assertStateDict(source, "model.");
        }
    }

    @Test
    void parametersAreReadAsTheirData() {
        try (var source = TorchZipSource.open(fixture("param.pt"))) {
            assertEquals(List.of("p"), source.names());
            assertArrayEquals(new float[] {4, -4}, source.readFloats("p", 0, 2));
        }
    }

    @Test
    void integerTensorsAreRefusedAsFloats() {
        var path = fixture("int8.pt");
        try (var source = TorchZipSource.open(path)) {
            assertEquals(new TensorInfo("q", "I8", new long[] {3}), source.info("q"));
            assertArrayEquals(new long[] {-128, 0, 127}, source.readLongs("q", 0, 3));
            assertEquals(path + " holds tensor 'q' of dtype I8, which dlc4j does not read as floating-point weights;"
                    + " convert it to float32, float16 or bfloat16 before importing",
                    assertUserError(() -> source.readFloats("q", 0, 3)).getMessage());
        }
    }

    @Test
    void legacyTruncatedAndForeignFilesAreRefusedInOneLine() {
        var legacy = fixture("legacy.pt");
        assertEquals(legacy + " is a PyTorch checkpoint in the legacy (pre-1.6, non-zip) format, which dlc4j does not"
                + " read; re-save it with a recent torch.save, or convert it to safetensors",
                assertUserError(() -> TorchZipSource.open(legacy)).getMessage());
        var truncated = fixture("truncated.pt");
        var e = assertUserError(() -> TorchZipSource.open(truncated));
        assertTrue(e.getMessage().startsWith(truncated + " is not a complete zip archive ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("; the download was interrupted — download it again"), e.getMessage());
        var counter = fixture("counter.pt");
        assertEquals(counter + " holds a pickled collections.Counter, which dlc4j does not load (it reads tensors only"
                + " and never runs code from a checkpoint); save only the model's state_dict, or convert it to safetensors",
                assertUserError(() -> TorchZipSource.open(counter)).getMessage());
    }

    @Test
    void brokenArchivesAreRefusedInOneLine() throws IOException {
        var npz = dir.resolve("arrays.bin");
        Npz.write(npz, IoFixtures.sampleTensors());
        assertTrue(assertUserError(() -> TorchZipSource.open(npz)).getMessage()
                .contains("is a zip archive but not a PyTorch checkpoint (it has no data.pkl)"));

        byte[] stateDict = {(byte) 0x80, 2, '}', 'X', 1, 0, 0, 0, 'w'};
        var cut = zip("cut.pt", "cut/data.pkl", stateDict);
        assertTrue(assertUserError(() -> TorchZipSource.open(cut)).getMessage()
                .contains("is not a readable PyTorch checkpoint (its data.pkl ends early); download it again"));

        var opcode = zip("op.pt", "op/data.pkl", new byte[] {(byte) 0x80, 2, 'I', '1', '\n', '.'});
        assertTrue(assertUserError(() -> TorchZipSource.open(opcode)).getMessage()
                .contains("uses pickle opcode 0x49 (at byte 2), which torch.save of a state dict does not write"));

        var nonsense = zip("pop.pt", "pop/data.pkl", new byte[] {(byte) 0x80, 2, 's', '.'});
        assertTrue(assertUserError(() -> TorchZipSource.open(nonsense)).getMessage()
                .contains("its data.pkl does not make sense at byte 3"));

        // A tensor whose storage entry is missing from the archive.
        byte[] pickle;
        try (var zip = new java.util.zip.ZipFile(fixture("param.pt").toFile())) {
            pickle = zip.getInputStream(zip.getEntry("param/data.pkl")).readAllBytes();
        }
        var lonely = zip("lonely.pt", "param/data.pkl", pickle);
        assertTrue(assertUserError(() -> TorchZipSource.open(lonely)).getMessage()
                .contains("tensor 'p' lies in storage data/0, which the archive lacks"));

        var big = zip("big.pt", "big/data.pkl", pickle, "big/byteorder", "big".getBytes());
        assertTrue(assertUserError(() -> TorchZipSource.open(big)).getMessage().contains("saved on a big-endian machine"));
    }

    /** A zip of (name, bytes) pairs. */
    private Path zip(String file, Object... entries) throws IOException {
        var path = dir.resolve(file);
        try (var out = new ZipOutputStream(Files.newOutputStream(path))) {
            for (int i = 0; i < entries.length; i += 2) {
                out.putNextEntry(new ZipEntry((String) entries[i]));
                out.write((byte[]) entries[i + 1]);
                out.closeEntry();
            }
        }
        return path;
    }
}
