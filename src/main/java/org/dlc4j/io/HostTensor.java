package org.dlc4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor in host memory as little-endian raw bytes: the common currency of the file formats, kept
 * free of any engine so that I/O can be tested (and used) without native libraries.
 *
 * <p>{@code shape} is copied in and out; {@code data} is not, because tensors can be large: treat it
 * as read-only once handed over.
 */
public record HostTensor(DType dtype, long[] shape, byte[] data) {

    public HostTensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = Objects.requireNonNull(shape, "shape").clone();
        long expected = Math.multiplyExact(numel(shape), dtype.size());
        if (data.length != expected) {
            throw new IllegalArgumentException("a " + dtype + " tensor of shape " + Arrays.toString(shape)
                    + " needs " + expected + " bytes, got " + data.length);
        }
    }

    /** Number of elements of a tensor with this shape (1 for a scalar, whose shape is empty). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long numel() {
        return numel(shape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public static HostTensor ofFloats(long[] shape, float[] values) {
        var buf = allocate(values.length, DType.F32);
        buf.asFloatBuffer().put(values);
        return new HostTensor(DType.F32, shape, buf.array());
    }

    public static HostTensor ofLongs(long[] shape, long[] values) {
        var buf = allocate(values.length, DType.I64);
        buf.asLongBuffer().put(values);
        return new HostTensor(DType.I64, shape, buf.array());
    }

    public static HostTensor ofInts(long[] shape, int[] values) {
        var buf = allocate(values.length, DType.I32);
        buf.asIntBuffer().put(values);
        return new HostTensor(DType.I32, shape, buf.array());
    }

    public static HostTensor ofBytes(long[] shape, byte[] values) {
        return new HostTensor(DType.U8, shape, values.clone());
    }

    public float[] floats() {
        var out = new float[elements(DType.F32)];
        view().asFloatBuffer().get(out);
        return out;
    }

    public long[] longs() {
        var out = new long[elements(DType.I64)];
        view().asLongBuffer().get(out);
        return out;
    }

    public int[] ints() {
        var out = new int[elements(DType.I32)];
        view().asIntBuffer().get(out);
        return out;
    }

    /** Whether the values are integers that {@link #intValues} reads. */
    public boolean isInteger() {
        return dtype == DType.I32 || dtype == DType.I64;
    }

    /** I32 or I64 values as ints (labels, token ids, sizes), whichever of the two the writer chose. */
    public int[] intValues() {
        return dtype == DType.I64 ? java.util.Arrays.stream(longs()).mapToInt(Math::toIntExact).toArray() : ints();
    }

    /** The U8 values (as Java's signed bytes; use {@code b & 0xFF} for 0..255). */
    public byte[] bytes() {
        elements(DType.U8);
        return data.clone();
    }

    private static ByteBuffer allocate(int count, DType dtype) {
        return ByteBuffer.allocate(Math.multiplyExact(count, dtype.size())).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer view() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int elements(DType wanted) {
        if (dtype != wanted) {
            throw new IllegalStateException("tensor is " + dtype + ", not " + wanted);
        }
        return data.length / dtype.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t
                && dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    /** Omits the data: tensors can be megabytes and end up in assertion messages and logs. */
    @Override
    public String toString() {
        return "HostTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
