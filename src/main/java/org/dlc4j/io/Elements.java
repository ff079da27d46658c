package org.dlc4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.dlc4j.util.InvalidInputException;

/**
 * The element types of imported weight files, by their safetensors names, and their conversion to Java numbers a
 * bounded chunk at a time, so that a range of a tensor larger than any Java array can be read.
 */
final class Elements {
    private Elements() {}

    /** Sizes of the safetensors dtypes, including some dlc4j lists but cannot convert (F8_*, U16, U32, U64). */
    private static final Map<String, Integer> BYTES = Map.ofEntries(
            Map.entry("F64", 8), Map.entry("F32", 4), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I64", 8), Map.entry("I32", 4), Map.entry("I16", 2), Map.entry("I8", 1),
            Map.entry("U8", 1), Map.entry("BOOL", 1), Map.entry("U16", 2), Map.entry("U32", 4), Map.entry("U64", 8),
            Map.entry("F8_E4M3", 1), Map.entry("F8_E5M2", 1));
    private static final Set<String> FLOATING = Set.of("F64", "F32", "F16", "BF16");
    private static final Set<String> INTEGER = Set.of("I64", "I32", "I16", "I8", "U8", "BOOL");

    /** At most this many bytes are converted at a time. */
    private static final int CHUNK_BYTES = 1 << 22;

    /** A tensor's elements as flat row-major little-endian bytes. */
    @FunctionalInterface
    interface Bytes {
        /** Fills {@code into} (a heap buffer) with the bytes from {@code position} (element index × size) on. */
        void read(long position, ByteBuffer into) throws IOException;
    }

    /** Bytes per element, or 0 for a dtype dlc4j does not know. */
    static int bytes(String dtype) {
        return BYTES.getOrDefault(dtype, 0);
    }

    static boolean floating(String dtype) {
        return FLOATING.contains(dtype);
    }

    /**
     * Checks a request for elements [first, first + count) of {@code info} as floats (or as integers): the dtype must
     * convert, and the range must lie inside the tensor.
     */
    static void check(Path path, TensorInfo info, long first, int count, boolean floats) {
        if (!(floats ? FLOATING : INTEGER).contains(info.dtype())) {
            throw new InvalidInputException(path + " holds tensor '" + info.name() + "' of dtype " + info.dtype()
                    + ", which dlc4j does not read as " + (floats ? "floating-point weights; convert it to float32, "
                    + "float16 or bfloat16" : "integers; convert it to int64") + " before importing");
        }
        long numel = info.numel();
        if (first < 0 || count < 0 || first > numel - count) {
            throw new IllegalArgumentException("elements [" + first + ", " + first + " + " + count + ") lie outside tensor '"
                    + info.name() + "' of " + numel + " elements");
        }
    }

    /** Elements [first, first + count) of a floating tensor, widened (F16, BF16) or rounded (F64) to float32. */
    static float[] floats(String dtype, Bytes bytes, long first, int count) throws IOException {
        var out = new float[count];
        int size = bytes(dtype);
        readChunks(size, bytes, first, count, switch (dtype) {
            case "F32" -> (b, at, n) -> b.asFloatBuffer().get(out, at, n);
            case "F16" -> (b, at, n) -> {
                for (int i = 0; i < n; i++) {
                    out[at + i] = halfToFloat(b.getShort());
                }
            };
            // bfloat16 is the top half of a float32: widening is a shift.
            case "BF16" -> (b, at, n) -> {
                for (int i = 0; i < n; i++) {
                    out[at + i] = Float.intBitsToFloat(b.getShort() << 16);
                }
            };
            case "F64" -> (b, at, n) -> {
                for (int i = 0; i < n; i++) {
                    out[at + i] = (float) b.getDouble();
                }
            };
            default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
        });
        return out;
    }

    /** Elements [first, first + count) of an integer or boolean tensor (U8 as 0..255, BOOL as 0 or 1). */
    static long[] longs(String dtype, Bytes bytes, long first, int count) throws IOException {
        var out = new long[count];
        int size = bytes(dtype);
        ToLongFunction<ByteBuffer> next = switch (dtype) {
            case "I64" -> ByteBuffer::getLong;
            case "I32" -> ByteBuffer::getInt;
            case "I16" -> ByteBuffer::getShort;
            case "I8" -> ByteBuffer::get;
            case "U8", "BOOL" -> b -> b.get() & 0xFF;
            default -> throw new IllegalArgumentException("not an integer dtype: " + dtype);
        };
        readChunks(size, bytes, first, count, (b, at, n) -> {
            for (int i = 0; i < n; i++) {
                out[at + i] = next.applyAsLong(b);
            }
        });
        return out;
    }

    /** float16 to float32, exactly (every float16 value is a float32 value); Java 17 has no Float.float16ToFloat. */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int exponent = bits >>> 10 & 0x1F;
        int mantissa = bits & 0x3FF;
        float magnitude;
        if (exponent == 0x1F) {
            magnitude = Float.intBitsToFloat(0x7F800000 | mantissa << 13); // infinity or NaN
        } else if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f; // zero or subnormal: an integer times a power of two, exact
        } else {
            magnitude = Float.intBitsToFloat((exponent + 127 - 15) << 23 | mantissa << 13);
        }
        return (bits & 0x8000) != 0 ? -magnitude : magnitude;
    }

    /** Takes {@code n} elements from {@code chunk} into the output from index {@code at}. */
    @FunctionalInterface
    private interface Sink {
        void take(ByteBuffer chunk, int at, int n);
    }

    private static void readChunks(int size, Bytes bytes, long first, int count, Sink sink) throws IOException {
        int perChunk = CHUNK_BYTES / size;
        var buffer = ByteBuffer.allocate(Math.min(count, perChunk) * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            buffer.clear().limit(n * size);
            bytes.read((first + done) * size, buffer);
            sink.take(buffer.flip(), done, n);
            done += n;
        }
    }
}
