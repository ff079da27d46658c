package org.dlc4j.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.dlc4j.util.DlcException;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.function.Executable;

/** Shared test data and assertions for the io package. */
final class IoFixtures {
    private IoFixtures() {}

    /** Every dtype, a scalar and an empty tensor, deliberately not in alphabetical order. */
    static LinkedHashMap<String, HostTensor> sampleTensors() {
        var t = new LinkedHashMap<String, HostTensor>();
        t.put("z.weight", HostTensor.ofFloats(new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, Float.NaN, -0f}));
        t.put("a.steps", HostTensor.ofLongs(new long[] {3}, new long[] {Long.MAX_VALUE, -1, 0}));
        t.put("m.codes", HostTensor.ofInts(new long[] {1, 2}, new int[] {7, Integer.MIN_VALUE}));
        t.put("pixels", HostTensor.ofBytes(new long[] {5}, new byte[] {0, 1, 127, (byte) 128, (byte) 255}));
        t.put("scalar", HostTensor.ofFloats(new long[0], new float[] {42f}));
        t.put("empty", HostTensor.ofFloats(new long[] {0, 4}, new float[0]));
        return t;
    }

    static Path noiseFile(Path path, long seed, int size) throws IOException {
        var rng = new Rng(seed);
        byte[] noise = new byte[size];
        for (int i = 0; i < size; i++) {
            noise[i] = (byte) rng.nextLong();
        }
        return Files.write(path, noise);
    }

    /** A safetensors file with {@code header} as its JSON header, unpadded and unchecked, then {@code data}. */
    static Path rawSafetensors(Path path, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        var buf = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).put(data);
        return Files.write(path, buf.array());
    }

    /** Asserts a DlcException whose message fits on one line, as the CLI prints it. */
    static DlcException assertUserError(Executable action) {
        var e = assertThrows(DlcException.class, action);
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), "multi-line: " + e.getMessage());
        return e;
    }
}
