package org.dlc4j.io;

import static org.dlc4j.io.IoFixtures.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {
    @TempDir
    Path dir;

    @Test
    void roundTrip() {
        var path = dir.resolve("samples.npz");
        var arrays = IoFixtures.sampleTensors();
        Npz.write(path, arrays);
        var back = Npz.read(path);
        assertEquals(arrays, back);
        assertEquals(List.copyOf(arrays.keySet()), List.copyOf(back.keySet()));
    }

    @Test
    void npyHeaderIsVersion1AlignedTo64AndUsesPythonTupleSyntax() {
        byte[] oneD = Npz.npyHeader(HostTensor.ofFloats(new long[] {3}, new float[3]));
        assertEquals(0, oneD.length % 64);
        assertEquals(1, oneD[6]);
        assertEquals(0, oneD[7]);
        assertEquals(oneD.length - 10, (oneD[8] & 0xFF) | (oneD[9] & 0xFF) << 8);
        String dict = new String(oneD, 10, oneD.length - 10, StandardCharsets.US_ASCII);
        assertTrue(dict.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), dict);
        assertTrue(dict.endsWith(" \n"));

        String four = new String(Npz.npyHeader(HostTensor.ofBytes(new long[] {2, 1, 1, 1}, new byte[2])), StandardCharsets.US_ASCII);
        assertTrue(four.contains("'descr': '|u1'") && four.contains("'shape': (2, 1, 1, 1)"), four);
        String scalar = new String(Npz.npyHeader(HostTensor.ofLongs(new long[0], new long[1])), StandardCharsets.US_ASCII);
        assertTrue(scalar.contains("'shape': ()"), scalar);
    }

    @Test
    void errorsAreOneLineUserErrors() throws IOException {
        assertTrue(assertUserError(() -> Npz.read(dir.resolve("none.npz"))).getMessage().contains("not found"));
        var text = dir.resolve("text.npz");
        Files.writeString(text, "hello");
        assertTrue(assertUserError(() -> Npz.read(text)).getMessage().contains("is not a valid .npz file"));
    }

    @Test
    void numpyLoadsOurFile() throws IOException {
        PythonSupport.assumeModule("numpy");
        var path = dir.resolve("samples.npz");
        var arrays = new LinkedHashMap<String, HostTensor>();
        arrays.put("images", HostTensor.ofFloats(new long[] {2, 1, 2, 2}, new float[] {0, 0.5f, -1, 1, 2, 3, 4, 5.25f}));
        arrays.put("labels", HostTensor.ofLongs(new long[] {2}, new long[] {3, -9}));
        arrays.put("codes", HostTensor.ofInts(new long[] {2, 1}, new int[] {1, 2}));
        arrays.put("pixels", HostTensor.ofBytes(new long[] {1}, new byte[] {(byte) 200}));
        Npz.write(path, arrays);
        String out = PythonSupport.run("""
                import sys, numpy as np
                d = np.load(sys.argv[1])
                print(list(d.keys()))
                for k in d.keys():
                    a = d[k]
                    print(k, a.dtype, a.shape, a.ravel().tolist())
                """, path);
        assertEquals("""
                ['images', 'labels', 'codes', 'pixels']
                images float32 (2, 1, 2, 2) [0.0, 0.5, -1.0, 1.0, 2.0, 3.0, 4.0, 5.25]
                labels int64 (2,) [3, -9]
                codes int32 (2, 1) [1, 2]
                pixels uint8 (1,) [200]
                """, out);
    }

    @Test
    void weReadNumpysFilesIncludingCompressedOnes() throws IOException {
        PythonSupport.assumeModule("numpy");
        var plain = dir.resolve("plain.npz");
        var compressed = dir.resolve("compressed.npz");
        PythonSupport.run("""
                import sys, numpy as np
                arrays = dict(x=np.arange(6, dtype=np.float32).reshape(2, 3), n=np.int64(5), b=np.array([1, 255], np.uint8))
                np.savez(sys.argv[1], **arrays)
                np.savez_compressed(sys.argv[2], **arrays)
                """, plain, compressed);
        for (var path : List.of(plain, compressed)) {
            var back = Npz.read(path);
            assertEquals(List.of("x", "n", "b"), List.copyOf(back.keySet()));
            assertEquals(HostTensor.ofFloats(new long[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}), back.get("x"));
            assertEquals(HostTensor.ofLongs(new long[0], new long[] {5}), back.get("n"));
            assertEquals(HostTensor.ofBytes(new long[] {2}, new byte[] {1, (byte) 255}), back.get("b"));
        }
    }
}
