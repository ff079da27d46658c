package org.dlc4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.dlc4j.util.InvalidInputException;

/** numpy's {@code .npz}: a zip of {@code <key>.npy} arrays, loadable with {@code numpy.load}. */
public final class Npz {
    private Npz() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Writes uncompressed entries (as {@code numpy.savez} does), atomically. */
    public static void write(Path path, LinkedHashMap<String, HostTensor> arrays) {
        AtomicFiles.write(path, out -> {
            try (var zip = new ZipOutputStream(out)) {
                for (var entry : arrays.entrySet()) {
                    var tensor = entry.getValue();
                    byte[] header = npyHeader(tensor);
                    // STORED entries must declare size and CRC up front.
                    var crc = new CRC32();
                    crc.update(header);
                    crc.update(tensor.data());
                    var zipEntry = new ZipEntry(entry.getKey() + ".npy");
                    zipEntry.setMethod(ZipEntry.STORED);
                    zipEntry.setSize(header.length + (long) tensor.data().length);
                    zipEntry.setCompressedSize(zipEntry.getSize());
                    zipEntry.setCrc(crc.getValue());
                    zip.putNextEntry(zipEntry);
                    zip.write(header);
                    zip.write(tensor.data());
                    zip.closeEntry();
                }
            }
        });
    }

    /** npy v1.0 header, padded so the data starts on a 64-byte boundary. */
    static byte[] npyHeader(HostTensor tensor) {
        String dict = "{'descr': '" + tensor.dtype().numpyDescr() + "', 'fortran_order': False, 'shape': "
                + pythonTuple(tensor.shape()) + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1; // +1 for the closing newline
        int headerLength = dict.length() + 1 + (64 - unpadded % 64) % 64;
        var buf = ByteBuffer.allocate(MAGIC.length + 4 + headerLength).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerLength);
        buf.put((dict + " ".repeat(headerLength - dict.length() - 1) + "\n").getBytes(StandardCharsets.US_ASCII));
        return buf.array();
    }

    private static String pythonTuple(long[] shape) {
        var items = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        return shape.length == 1 ? "(" + items + ",)" : "(" + items + ")";
    }

    /** Reads every {@code .npy} entry, keyed by name without the extension, in zip order. */
    public static LinkedHashMap<String, HostTensor> read(Path path) {
        if (!Files.exists(path)) {
            throw IoErrors.notFound(path);
        }
        var arrays = new LinkedHashMap<String, HostTensor>();
        try (var zip = new ZipFile(path.toFile())) {
            for (var entry : Collections.list(zip.entries())) {
                if (entry.isDirectory() || !entry.getName().endsWith(".npy")) {
                    continue;
                }
                String key = entry.getName().substring(0, entry.getName().length() - 4);
                try (var in = zip.getInputStream(entry)) {
                    arrays.put(key, readNpy(path, key, in));
                }
            }
        } catch (ZipException e) {
            throw new InvalidInputException(path + " is not a valid .npz file (" + IoErrors.describe(e)
                    + "); the write may have been interrupted — regenerate it");
        } catch (IOException e) {
            throw IoErrors.cannotRead(path, e);
        }
        return arrays;
    }

    private static HostTensor readNpy(Path path, String key, InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        if (prefix.length < MAGIC.length + 2 || !Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw badArray(path, key, "it does not start with the .npy magic bytes");
        }
        int major = prefix[MAGIC.length];
        // v1 has a 2-byte header length; v2 and v3 (longer or UTF-8 headers) have 4 bytes.
        int lengthBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw badArray(path, key, "it uses .npy format version " + major + ", which dlc4j does not know");
        };
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) {
            throw badArray(path, key, "it is truncated");
        }
        var lengthBuf = ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = lengthBytes == 2 ? Short.toUnsignedInt(lengthBuf.getShort()) : Integer.toUnsignedLong(lengthBuf.getInt());
        if (headerLength > 1 << 20) {
            throw badArray(path, key, "its header length " + headerLength + " is implausible");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw badArray(path, key, "it is truncated");
        }
        String header = new String(headerBytes, StandardCharsets.UTF_8);
        var descr = DESCR.matcher(header);
        var fortran = FORTRAN.matcher(header);
        var shapeMatch = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
            throw badArray(path, key, "its header is not a numpy array description");
        }
        if (fortran.group(1).equals("True")) {
            throw badArray(path, key, "it is stored in Fortran order; save it with numpy.ascontiguousarray");
        }
        var dtype = DType.fromNumpyDescr(descr.group(1)).orElseThrow(() -> badArray(path, key,
                "its dtype '" + descr.group(1) + "' is not one of float32, int64, int32, uint8 (little-endian)"));
        long[] shape;
        long bytes;
        try {
            shape = Arrays.stream(shapeMatch.group(1).split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
            bytes = Math.multiplyExact(HostTensor.numel(shape), dtype.size());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw badArray(path, key, "its shape (" + shapeMatch.group(1) + ") is not a valid tuple of sizes");
        }
        if (bytes > Integer.MAX_VALUE - 8) {
            throw badArray(path, key, "it holds " + bytes + " bytes, more than dlc4j can load as one array");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw badArray(path, key, "it is truncated: expected " + bytes + " data bytes, found " + data.length);
        }
        return new HostTensor(dtype, shape, data);
    }

    private static InvalidInputException badArray(Path path, String key, String why) {
        return new InvalidInputException("array '" + key + "' in " + path + " cannot be read: " + why);
    }
}
