package org.dlc4j.io;

import java.util.Arrays;
import java.util.Optional;

/** Element types dlc4j stores on disk, with their names in the safetensors and numpy formats. */
public enum DType {
    F32(4, "F32", "<f4"),
    I64(8, "I64", "<i8"),
    I32(4, "I32", "<i4"),
    U8(1, "U8", "|u1");

    private final int size;
    private final String safetensorsName;
    private final String numpyDescr;

    DType(int size, String safetensorsName, String numpyDescr) {
        this.size = size;
        this.safetensorsName = safetensorsName;
        this.numpyDescr = numpyDescr;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    public String safetensorsName() {
        return safetensorsName;
    }

    public String numpyDescr() {
        return numpyDescr;
    }

    public static Optional<DType> fromSafetensorsName(String name) {
        return Arrays.stream(values()).filter(d -> d.safetensorsName.equals(name)).findFirst();
    }

    /** Also accepts {@code '<u1'}, which some writers use for bytes even though byte order is meaningless. */
    public static Optional<DType> fromNumpyDescr(String descr) {
        String normalized = descr.equals("<u1") ? "|u1" : descr;
        return Arrays.stream(values()).filter(d -> d.numpyDescr.equals(normalized)).findFirst();
    }
}
