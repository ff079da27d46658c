package org.dlc4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HostTensorTest {

    @Test
    void factoriesRoundTripAndStoreLittleEndian() {
        var f = HostTensor.ofFloats(new long[] {2, 2}, new float[] {1f, -2.5f, 0f, Float.MAX_VALUE});
        assertArrayEquals(new float[] {1f, -2.5f, 0f, Float.MAX_VALUE}, f.floats());
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F}, Arrays.copyOf(f.data(), 4)); // 1.0f
        assertEquals(4, f.numel());

        assertArrayEquals(new long[] {Long.MIN_VALUE, 7}, HostTensor.ofLongs(new long[] {2}, new long[] {Long.MIN_VALUE, 7}).longs());
        assertArrayEquals(new int[] {-1, 2, 3}, HostTensor.ofInts(new long[] {3}, new int[] {-1, 2, 3}).ints());
        assertArrayEquals(new byte[] {(byte) 255, 0}, HostTensor.ofBytes(new long[] {1, 2}, new byte[] {(byte) 255, 0}).bytes());
    }

    @Test
    void scalarHasOneElement() {
        var s = HostTensor.ofFloats(new long[0], new float[] {3f});
        assertEquals(1, s.numel());
        assertArrayEquals(new float[] {3f}, s.floats());
    }

    @Test
    void rejectsDataThatDoesNotMatchShape() {
        assertThrows(IllegalArgumentException.class, () -> HostTensor.ofFloats(new long[] {2, 3}, new float[5]));
        assertThrows(IllegalArgumentException.class, () -> new HostTensor(DType.I64, new long[] {1}, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> new HostTensor(DType.U8, new long[] {-1}, new byte[0]));
    }

    @Test
    void wrongTypedAccessorFails() {
        var ints = HostTensor.ofInts(new long[] {1}, new int[] {1});
        assertThrows(IllegalStateException.class, ints::floats);
    }

    @Test
    void equalityComparesContentsAndShapeIsDefensivelyCopied() {
        long[] shape = {2};
        var a = HostTensor.ofInts(shape, new int[] {1, 2});
        shape[0] = 99;
        var b = HostTensor.ofInts(new long[] {2}, new int[] {1, 2});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, HostTensor.ofInts(new long[] {1, 2}, new int[] {1, 2}));
        assertNotEquals(a, HostTensor.ofInts(new long[] {2}, new int[] {1, 3}));
        a.shape()[0] = 5;
        assertArrayEquals(new long[] {2}, a.shape());
        assertEquals("HostTensor[I32 [2]]", a.toString());
    }
}
