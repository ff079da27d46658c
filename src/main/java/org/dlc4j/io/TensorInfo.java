package org.dlc4j.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a {@link TensorSource}: its name, its dtype in safetensors terms ("F32", "F16", "BF16", "F64",
 * "I64", "I32", "I16", "I8", "U8", "BOOL", or a name such as "F8_E4M3" that dlc4j lists but does not convert) and its
 * shape. {@code shape} is copied in and out.
 */
public record TensorInfo(String name, String dtype, long[] shape) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = Objects.requireNonNull(shape, "shape").clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return HostTensor.numel(shape);
    }

    /** Whether {@link TensorSource#readFloats} reads it: F32, F16, BF16 or F64. */
    public boolean floating() {
        return Elements.floating(dtype);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}
