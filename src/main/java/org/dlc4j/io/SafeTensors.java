package org.dlc4j.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dlc4j.util.InvalidInputException;

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length, a JSON header describing each tensor's dtype, shape and byte range, then the raw data.
 * Files written here load with Python's {@code safetensors} library and vice versa.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Same limit as the reference implementation; a larger value means the file is something else. */
    private static final long MAX_HEADER_BYTES = 100_000_000;
    private static final String METADATA_KEY = "__metadata__";

    public record Contents(LinkedHashMap<String, HostTensor> tensors, Map<String, String> metadata) {}

    /** Writes tensors in iteration order; {@code metadata} may be empty or null. */
    public static void write(OutputStream out, LinkedHashMap<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        byte[] header = header(tensors, metadata);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        for (var tensor : tensors.values()) {
            out.write(tensor.data());
        }
    }

    /** Writes a file atomically (temp file + rename). */
    public static void write(Path path, LinkedHashMap<String, HostTensor> tensors, Map<String, String> metadata) {
        AtomicFiles.write(path, out -> write(out, tensors, metadata));
    }

    private static byte[] header(LinkedHashMap<String, HostTensor> tensors, Map<String, String> metadata) {
        var json = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            var meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            json.add(METADATA_KEY, meta);
        }
        long offset = 0;
        for (var entry : tensors.entrySet()) {
            if (entry.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
            }
            var tensor = entry.getValue();
            var info = new JsonObject();
            info.addProperty("dtype", tensor.dtype().safetensorsName());
            var shape = new JsonArray();
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            var offsets = new JsonArray();
            offsets.add(offset);
            offset += tensor.data().length;
            offsets.add(offset);
            info.add("data_offsets", offsets);
            json.add(entry.getKey(), info);
        }
        var text = new GsonBuilder().disableHtmlEscaping().create().toJson(json);
        // Space-pad to a multiple of 8 like the reference writer, so the data starts aligned.
        var padded = new StringBuilder(text);
        int length = text.getBytes(StandardCharsets.UTF_8).length;
        padded.append(" ".repeat((8 - length % 8) % 8));
        return padded.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static Contents read(Path path) {
        try (var channel = FileChannel.open(path)) {
            return read(path, channel);
        } catch (IOException e) {
            throw IoErrors.cannotRead(path, e);
        }
    }

    /**
     * A checked header: each tensor's dtype (as written, known to dlc4j or not), shape and byte range in the data
     * section, which starts at {@code dataStart}; entries in file order.
     */
    record Layout(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    private static Contents read(Path path, FileChannel channel) throws IOException {
        var layout = layout(path, channel, "the write was interrupted — use an earlier checkpoint");
        var tensors = new LinkedHashMap<String, HostTensor>();
        for (var e : layout.entries()) {
            var dtype = DType.fromSafetensorsName(e.dtype).orElseThrow(() -> new InvalidInputException(path
                    + " holds tensor '" + e.name + "' of dtype " + e.dtype
                    + ", which dlc4j cannot read; convert it to one of F32, I64, I32 or U8"));
            long bytes = e.end - e.begin;
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(path + " holds tensor '" + e.name + "' of " + bytes
                        + " bytes, more than dlc4j can load as one array; split it into smaller tensors");
            }
            var data = readFully(channel, layout.dataStart() + e.begin, (int) bytes).array();
            tensors.put(e.name, new HostTensor(dtype, e.shape, data));
        }
        return new Contents(tensors, layout.metadata());
    }

    /**
     * Reads and checks the header of {@code path}, open as {@code channel}: the offsets must tile the data section and
     * the file must end where it does. {@code truncatedFix} is the remedy a too-short file's message names.
     */
    static Layout layout(Path path, FileChannel channel, String truncatedFix) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw truncated(path, 8, size, truncatedFix);
        }
        long headerLength = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw notSafetensors(path, "its first 8 bytes give an impossible header length " + Long.toUnsignedString(headerLength));
        }
        if (size < 8 + headerLength) {
            throw truncated(path, 8 + headerLength, size, truncatedFix);
        }
        var headerBuffer = readFully(channel, 8, (int) headerLength);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries;
        try {
            entries = parseHeader(utf8(headerBuffer), metadata);
        } catch (Malformed e) {
            throw notSafetensors(path, e.getMessage());
        }
        long dataStart = 8 + headerLength;
        long dataLength = checkLayout(path, entries);
        if (size < dataStart + dataLength) {
            throw truncated(path, dataStart + dataLength, size, truncatedFix);
        }
        if (size > dataStart + dataLength) {
            throw notSafetensors(path, (size - dataStart - dataLength) + " unexpected bytes follow the last tensor");
        }
        return new Layout(entries, metadata, dataStart);
    }

    /** Offsets must tile the data section exactly, in order, as the reference reader demands. */
    private static long checkLayout(Path path, List<Entry> entries) {
        long expectedBegin = 0;
        for (var e : entries) {
            if (e.begin != expectedBegin || e.end < e.begin) {
                throw notSafetensors(path, "tensor '" + e.name + "' has data_offsets [" + e.begin + ", " + e.end
                        + "] that leave a gap or overlap");
            }
            int elementBytes = Elements.bytes(e.dtype);
            long needed;
            try {
                needed = Math.multiplyExact(HostTensor.numel(e.shape), elementBytes);
            } catch (ArithmeticException overflow) {
                throw notSafetensors(path, "tensor '" + e.name + "' has an impossibly large shape");
            }
            // An element size dlc4j does not know leaves nothing to check: such tensors are listed, never read.
            if (elementBytes > 0 && e.end - e.begin != needed) {
                throw notSafetensors(path, "tensor '" + e.name + "' has " + (e.end - e.begin)
                        + " bytes of data but its shape needs " + needed);
            }
            expectedBegin = e.end;
        }
        return expectedBegin;
    }

    private static List<Entry> parseHeader(String text, Map<String, String> metadata) throws Malformed {
        JsonObject json;
        try (var reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            var element = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new Malformed("its header has trailing characters after the JSON object");
            }
            if (!element.isJsonObject()) {
                throw new Malformed("its header is not a JSON object");
            }
            json = element.getAsJsonObject();
        } catch (JsonParseException | IOException e) {
            throw new Malformed("its header is not valid JSON");
        }
        var entries = new ArrayList<Entry>();
        for (var field : json.entrySet()) {
            String name = field.getKey();
            if (name.equals(METADATA_KEY)) {
                for (var m : object(field.getValue(), METADATA_KEY).entrySet()) {
                    metadata.put(m.getKey(), string(m.getValue(), METADATA_KEY + "." + m.getKey()));
                }
                continue;
            }
            var info = object(field.getValue(), "tensor '" + name + "'");
            String dtype = string(info.get("dtype"), "dtype of tensor '" + name + "'");
            long[] shape = longs(info.get("shape"), -1, "shape of tensor '" + name + "'");
            long[] offsets = longs(info.get("data_offsets"), 2, "data_offsets of tensor '" + name + "'");
            entries.add(new Entry(name, dtype, shape, offsets[0], offsets[1]));
        }
        // Tensor order in the file is the order of the data; the JSON key order is the writer's business.
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        return entries;
    }

    private static JsonObject object(JsonElement e, String what) throws Malformed {
        if (e == null || !e.isJsonObject()) {
            throw new Malformed(what + " in its header is not a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static String string(JsonElement e, String what) throws Malformed {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new Malformed(what + " in its header is not a string");
        }
        return e.getAsString();
    }

    /** Non-negative integers; {@code length} -1 means any length. */
    private static long[] longs(JsonElement e, int length, String what) throws Malformed {
        if (e == null || !e.isJsonArray() || (length >= 0 && e.getAsJsonArray().size() != length)) {
            throw new Malformed(what + " in its header is not " + (length < 0 ? "a list" : "a pair") + " of integers");
        }
        var array = e.getAsJsonArray();
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            var item = array.get(i);
            if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isNumber()) {
                throw new Malformed(what + " in its header contains a non-number");
            }
            try {
                out[i] = item.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
            } catch (ArithmeticException ex) {
                throw new Malformed(what + " in its header contains " + item + ", not an integer");
            }
            if (out[i] < 0) {
                throw new Malformed(what + " in its header contains a negative number");
            }
        }
        return out;
    }

    private static String utf8(ByteBuffer bytes) throws Malformed {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("its header is not UTF-8 text");
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        var buffer = ByteBuffer.allocate(length);
        readFully(channel, position, buffer);
        return buffer.flip();
    }

    /** Fills {@code into} with the bytes from {@code position} on: one read may return less than asked. */
    static void readFully(FileChannel channel, long position, ByteBuffer into) throws IOException {
        long at = position - into.position();
        while (into.hasRemaining()) {
            if (channel.read(into, at + into.position()) < 0) {
                throw new IOException("file shrank while being read");
            }
        }
    }

    private static InvalidInputException truncated(Path path, long expected, long found, String fix) {
        return new InvalidInputException(path + " is truncated: expected " + expected + " bytes, found " + found + "; " + fix);
    }

    private static InvalidInputException notSafetensors(Path path, String why) {
        return new InvalidInputException(path + " is not a safetensors file (" + IoErrors.oneLine(why)
                + "); pass a .safetensors file written by dlc4j or the safetensors library");
    }

    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }
}
