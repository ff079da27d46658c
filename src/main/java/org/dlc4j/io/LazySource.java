package org.dlc4j.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.dlc4j.util.InvalidInputException;

/**
 * What every {@link TensorSource} shares: the tensor table, look-up by name, checked and converted reads; a source
 * supplies only each tensor's bytes. Also where {@link TensorSource#open} tells the formats apart.
 */
abstract class LazySource implements TensorSource {
    final Path path;
    private final LinkedHashMap<String, TensorInfo> infos;

    LazySource(Path path, LinkedHashMap<String, TensorInfo> infos) {
        this.path = path;
        this.infos = infos;
    }

    /** The tensor's elements as flat bytes, for a read of elements [first, first + count). */
    abstract Elements.Bytes bytes(TensorInfo info, long first, int count);

    /** See {@link TensorSource#open}. */
    static LazySource open(Path path) {
        if (Files.isDirectory(path)) {
            for (String name : WEIGHT_FILES) {
                if (Files.isRegularFile(path.resolve(name))) {
                    return open(path.resolve(name));
                }
            }
            throw new InvalidInputException(path + " holds no weights file (looked for " + String.join(", ", WEIGHT_FILES)
                    + "); pass the folder of a downloaded model, or the weights file itself");
        }
        if (path.getFileName().toString().endsWith(".json")) {
            return ShardedSource.open(path);
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(9);
        } catch (IOException e) {
            throw IoErrors.cannotRead(path, e);
        }
        // Safetensors: an 8-byte header length, then the JSON header's "{", tested first because the length's low byte can
        // be anything, 0x80 included. A zip starts with "PK"; a pre-1.6 torch.save file is a bare pickle, starting with
        // PROTO (0x80). A shorter file is reported as truncated by the safetensors reader.
        boolean json = head.length == 9 && head[8] == '{';
        if (!json && head.length >= 2 && (head[0] == 'P' && head[1] == 'K' || head[0] == (byte) 0x80)) {
            return TorchZipSource.open(path);
        }
        if (head.length == 9 && !json) {
            throw new InvalidInputException(path + " is neither a safetensors file nor a PyTorch checkpoint;"
                    + " pass model.safetensors, pytorch_model.bin or a sharded checkpoint's .index.json");
        }
        return SafeTensorsSource.open(path);
    }

    @FunctionalInterface
    interface FileReader<F, S> {
        S read(F file) throws IOException;
    }

    /** {@code reader} applied to the just-opened {@code file}, which is closed if reading it fails. */
    static <F extends Closeable, S> S readOrClose(F file, FileReader<F, S> reader) throws IOException {
        try {
            return reader.read(file);
        } catch (IOException | RuntimeException e) {
            closeQuietly(file);
            throw e;
        }
    }

    /** For files only read from, where a failing close loses nothing. */
    static void closeQuietly(Closeable file) {
        try {
            file.close();
        } catch (IOException ignored) {
            // Nothing was written, so nothing is lost.
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public List<String> names() {
        return List.copyOf(infos.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        var info = infos.get(name);
        if (info == null) {
            throw new InvalidInputException(path + " has no tensor '" + name
                    + "'; check that it is the checkpoint of the model its config describes");
        }
        return info;
    }

    @Override
    public float[] readFloats(String name, long first, int count) {
        return read(name, first, count, true, Elements::floats);
    }

    @Override
    public long[] readLongs(String name, long first, int count) {
        return read(name, first, count, false, Elements::longs);
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(String dtype, Elements.Bytes bytes, long first, int count) throws IOException;
    }

    private <T> T read(String name, long first, int count, boolean floats, Reader<T> reader) {
        var info = info(name);
        Elements.check(path, info, first, count, floats);
        try {
            return reader.read(info.dtype(), bytes(info, first, count), first, count);
        } catch (IOException e) {
            throw IoErrors.cannotRead(path, e);
        }
    }
}
