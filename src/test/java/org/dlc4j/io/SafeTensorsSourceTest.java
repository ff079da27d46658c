package org.dlc4j.io;

import static org.dlc4j.io.IoFixtures.assertUserError;
import static org.dlc4j.io.IoFixtures.rawSafetensors;
import static org.dlc4j.io.IoFixtures.sampleTensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsSourceTest {
    @TempDir
    Path dir;

    /** F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), -0, +inf; BF16: 1, -3.140625, 2^100, a NaN. */
    private static final short[] HALVES = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, (short) 0x8000, 0x7C00};
    private static final short[] BRAINS = {0x3F80, (short) 0xC049, 0x7180, 0x7FC0};

    @Test
    void readsEveryFloatingDtypeAsFloat32() throws IOException {
        var data = ByteBuffer.allocate(12 + 8 + 16 + 8).order(ByteOrder.LITTLE_ENDIAN);
        for (short h : HALVES) {
            data.putShort(h);
        }
        for (short b : BRAINS) {
            data.putShort(b);
        }
        data.putDouble(0.1).putDouble(1e300);
        data.putFloat(-7.5f).putFloat(Float.MIN_VALUE);
        var path = rawSafetensors(dir.resolve("mixed.safetensors"), "{"
                + entry("h", "F16", "[2, 3]", 0, 12) + ", " + entry("b", "BF16", "[4]", 12, 20) + ", "
                + entry("d", "F64", "[2]", 20, 36) + ", " + entry("f", "F32", "[1, 2]", 36, 44) + "}", data.array());
        try (var source = SafeTensorsSource.open(path)) {
            assertEquals(List.of("h", "b", "d", "f"), source.names());
            assertEquals(new TensorInfo("h", "F16", new long[] {2, 3}), source.info("h"));
            assertTrue(source.info("b").floating());
            assertArrayEquals(new float[] {1, -2, 65504, 0x1p-24f, -0f, Float.POSITIVE_INFINITY},
                    source.readFloats("h", 0, 6));
            assertArrayEquals(new float[] {1, -3.140625f, 0x1p100f, Float.NaN}, source.readFloats("b", 0, 4));
            assertArrayEquals(new float[] {0.1f, Float.POSITIVE_INFINITY}, source.readFloats("d", 0, 2));
            assertArrayEquals(new float[] {Float.MIN_VALUE}, source.readFloats("f", 1, 1));
            assertArrayEquals(new float[] {65504, 0x1p-24f}, source.readFloats("h", 2, 2));
            assertArrayEquals(new float[0], source.readFloats("h", 6, 0));
        }
    }

    /** Every one of the 65536 float16 values widens bit for bit as numpy widens it (NaN payloads included). */
    @Test
    void everyFloat16WidensAsNumpyDoes() throws IOException {
        PythonSupport.assumeModule("numpy");
        var out = dir.resolve("widened.bin");
        PythonSupport.run("""
                import sys, numpy as np
                np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32).tofile(sys.argv[1])
                """, out);
        var expected = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        for (int h = 0; h < 65536; h++) {
            int got = Float.floatToRawIntBits(Elements.halfToFloat((short) h));
            assertEquals(expected.get(h), got, "float16 bits 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void readsWhatTheEagerWriterWrote() {
        var path = dir.resolve("t.safetensors");
        SafeTensors.write(path, sampleTensors(), Map.of("k", "v"));
        try (var source = SafeTensorsSource.open(path)) {
            assertEquals(List.copyOf(sampleTensors().keySet()), source.names());
            assertArrayEquals(sampleTensors().get("z.weight").floats(), source.readFloats("z.weight", 0, 6));
            assertArrayEquals(sampleTensors().get("a.steps").longs(), source.readLongs("a.steps", 0, 3));
            assertArrayEquals(new long[] {7, Integer.MIN_VALUE}, source.readLongs("m.codes", 0, 2));
            assertArrayEquals(new long[] {0, 1, 127, 128, 255}, source.readLongs("pixels", 0, 5));
            assertArrayEquals(new float[] {42}, source.readFloats("scalar", 0, 1));
            assertEquals(0, source.info("empty").numel());
        }
    }

    /**
     * A 4.4 GB file (sparse, so it takes no disk) whose first tensor is 4.4 GB: values written past the 2^31- and
     * 2^32-byte marks read back, the rest reads as zeros, and a tensor stored after 4 GB reads too.
     */
    @Test
    void tensorsOverTwoGigabytesInFilesOverFourGigabytes() throws IOException {
        long big = 1_100_000_000L; // float32 elements: 4.4e9 bytes
        long bigEnd = 16 + big * 4;
        String header = "{" + entry("head", "F32", "[4]", 0, 16) + ", " + entry("big", "F32", "[11000, 100000]", 16, bigEnd)
                + ", " + entry("tail", "BF16", "[3]", bigEnd, bigEnd + 6) + "}";
        var path = rawSafetensors(dir.resolve("big.safetensors"), header, new byte[0]);
        long dataStart = Files.size(path);
        long past2g = 600_000_000L; // element index whose bytes lie past 2^31
        long past4g = (1L << 32) / 4 + 10; // and past 2^32
        try (var file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(dataStart + bigEnd + 6);
            write(file, dataStart, floats(1, 2, 3, 4));
            write(file, dataStart + 16 + past2g * 4, floats(-1.5f, 2.5f, 1e30f));
            write(file, dataStart + 16 + past4g * 4, floats(9, 8));
            write(file, dataStart + bigEnd, new byte[] {(byte) 0x80, 0x3F, 0, (byte) 0xC0, 0x49, (byte) 0xC0});
        }
        try (var source = SafeTensorsSource.open(path)) {
            assertEquals(big, source.info("big").numel());
            assertArrayEquals(new float[] {1, 2, 3, 4}, source.readFloats("head", 0, 4));
            assertArrayEquals(new float[] {0, -1.5f, 2.5f, 1e30f, 0}, source.readFloats("big", past2g - 1, 5));
            assertArrayEquals(new float[] {9, 8}, source.readFloats("big", past4g, 2));
            assertArrayEquals(new float[] {0, 0, 0}, source.readFloats("big", big - 3, 3));
            assertArrayEquals(new float[] {1, -2, -3.140625f}, source.readFloats("tail", 0, 3));
            // More than one conversion chunk, straddling the values written past 2^31 bytes.
            float[] wide = source.readFloats("big", past2g - 3_000_000, 4_000_000);
            assertEquals(-1.5f, wide[3_000_000]);
            assertEquals(1e30f, wide[3_000_002]);
            int nonZero = 0;
            for (float v : wide) {
                nonZero += v != 0 ? 1 : 0;
            }
            assertEquals(3, nonZero);
        }
    }

    @Test
    void unconvertibleDtypesAreListedButRefusedWhenRead() throws IOException {
        var path = rawSafetensors(dir.resolve("f8.safetensors"), "{" + entry("q", "F8_E4M3", "[2]", 0, 2) + ", "
                + entry("w", "F32", "[1]", 2, 6) + ", " + entry("odd", "Q4_K", "[5]", 6, 9) + "}", new byte[9]);
        try (var source = SafeTensorsSource.open(path)) {
            assertEquals(List.of("q", "w", "odd"), source.names());
            assertFalse(source.info("q").floating());
            var e = assertUserError(() -> source.readFloats("q", 0, 1));
            assertEquals(path + " holds tensor 'q' of dtype F8_E4M3, which dlc4j does not read as floating-point weights;"
                    + " convert it to float32, float16 or bfloat16 before importing", e.getMessage());
            assertTrue(assertUserError(() -> source.readFloats("odd", 0, 1)).getMessage().contains("dtype Q4_K"));
            assertTrue(assertUserError(() -> source.readLongs("w", 0, 1)).getMessage()
                    .contains("does not read as integers; convert it to int64"));
            assertTrue(assertUserError(() -> source.info("nope")).getMessage().contains("has no tensor 'nope'"));
            assertThrows(IllegalArgumentException.class, () -> source.readFloats("w", 0, 2));
            assertThrows(IllegalArgumentException.class, () -> source.readFloats("w", -1, 1));
        }
    }

    @Test
    void brokenFilesAreRefusedInOneLine() throws IOException {
        // Truncation: SafeTensorsTest.truncatedDataIsReported.
        var bad = rawSafetensors(dir.resolve("bad.safetensors"), "{" + entry("x", "BF16", "[3]", 0, 4) + "}", new byte[4]);
        assertTrue(assertUserError(() -> SafeTensorsSource.open(bad)).getMessage()
                .contains("has 4 bytes of data but its shape needs 6"));
        assertTrue(assertUserError(() -> SafeTensorsSource.open(dir.resolve("none.safetensors"))).getMessage()
                .contains("not found"));
    }

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": [" + begin
                + ", " + end + "]}";
    }

    private static byte[] floats(float... values) {
        var buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }

    private static void write(RandomAccessFile file, long position, byte[] bytes) throws IOException {
        file.seek(position);
        file.write(bytes);
    }
}
