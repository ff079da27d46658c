package org.dlc4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.dlc4j.util.InvalidInputException;

/**
 * PyTorch's zip checkpoint (torch.save since 1.6, e.g. {@code pytorch_model.bin}), read lazily: {@code
 * <archive>/data.pkl} names the tensors (read by {@link TorchPickle}, which runs no code), each a strided view of a
 * storage kept uncompressed in {@code <archive>/data/<key>}. A read streams only the storage bytes it needs; tensors
 * may share a storage, and non-contiguous views (a transposed weight) are gathered.
 */
public final class TorchZipSource extends LazySource {
    private static final String PICKLE = "/data.pkl";

    private final ZipFile zip;
    private final Map<String, Placed> placed;

    /** A tensor and the zip entry of its storage. */
    private record Placed(TorchPickle.Tensor tensor, ZipEntry storage) {}

    private TorchZipSource(Path path, ZipFile zip, LinkedHashMap<String, TensorInfo> infos, Map<String, Placed> placed) {
        super(path, infos);
        this.zip = zip;
        this.placed = placed;
    }

    public static TorchZipSource open(Path path) {
        if (!Files.exists(path)) {
            throw IoErrors.notFound(path);
        }
        try {
            // ZipFile reads zip64 archives too, as torch writes for files over 4 GB.
            return readOrClose(new ZipFile(path.toFile()), zip -> read(path, zip));
        } catch (ZipException e) {
            throw notZip(path, e);
        } catch (IOException e) {
            throw IoErrors.cannotRead(path, e);
        }
    }

    private static TorchZipSource read(Path path, ZipFile zip) throws IOException {
        // <archive>/data.pkl, where <archive> (no slash) is whatever name the writer chose; torch 1.13 uses the file's stem.
        var pickle = zip.stream()
                .filter(e -> e.getName().endsWith(PICKLE) && e.getName().indexOf('/') == e.getName().length() - PICKLE.length())
                .findFirst()
                .orElseThrow(() -> new InvalidInputException(path + " is a zip archive but not a PyTorch checkpoint"
                        + " (it has no data.pkl); pass a file written by torch.save"));
        String archive = pickle.getName().substring(0, pickle.getName().length() - PICKLE.length() + 1);
        var byteorder = zip.getEntry(archive + "byteorder"); // older writers (torch 1.13) leave it out: little-endian
        if (byteorder != null && text(zip, byteorder).strip().equals("big")) {
            throw new InvalidInputException(path + " was saved on a big-endian machine, whose byte order dlc4j does not"
                    + " read; convert it to safetensors on such a machine (safetensors is always little-endian)");
        }
        LinkedHashMap<String, TorchPickle.Tensor> tensors;
        try (var in = zip.getInputStream(pickle)) {
            tensors = TorchPickle.tensors(path, in.readAllBytes());
        }
        var infos = new LinkedHashMap<String, TensorInfo>();
        var placed = new HashMap<String, Placed>();
        tensors.forEach((name, tensor) -> {
            var storage = tensor.storage();
            var entry = zip.getEntry(archive + "data/" + storage.key());
            if (entry == null) {
                throw TorchPickle.corrupt(path, "tensor '" + name + "' lies in storage data/" + storage.key()
                        + ", which the archive lacks");
            }
            long bytes = storage.numel() * Elements.bytes(storage.dtype());
            if (entry.getSize() != bytes) {
                throw TorchPickle.corrupt(path, "storage data/" + storage.key() + " holds " + entry.getSize()
                        + " bytes where its " + storage.numel() + " " + storage.dtype() + " elements need " + bytes);
            }
            if (!insideStorage(tensor)) {
                throw TorchPickle.corrupt(path, "tensor '" + name + "' reaches outside its storage");
            }
            infos.put(name, new TensorInfo(name, storage.dtype(), tensor.shape()));
            placed.put(name, new Placed(tensor, entry));
        });
        return new TorchZipSource(path, zip, infos, placed);
    }

    private static boolean insideStorage(TorchPickle.Tensor t) {
        long[] shape = t.shape();
        long[] stride = t.stride();
        if (HostTensor.numel(shape) == 0) {
            return true;
        }
        try {
            long last = t.offset();
            for (int d = 0; d < shape.length; d++) {
                if (stride[d] < 0) {
                    return false;
                }
                last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, stride[d]));
            }
            return t.offset() >= 0 && last < t.storage().numel();
        } catch (ArithmeticException overflow) {
            return false;
        }
    }

    @Override
    Elements.Bytes bytes(TensorInfo info, long first, int count) {
        var p = placed.get(info.name());
        var tensor = p.tensor();
        int size = Elements.bytes(info.dtype());
        Elements.Bytes storage = (position, into) -> readEntry(p.storage(), position, into);
        if (contiguous(tensor)) {
            long start = tensor.offset() * size;
            return (position, into) -> storage.read(start + position, into);
        }
        return new Gather(info.name(), tensor, size, storage, first, count);
    }

    /** Whether the strides are row-major ones (dimensions of size 1 may have any stride). */
    private static boolean contiguous(TorchPickle.Tensor t) {
        long[] shape = t.shape();
        long[] stride = t.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return HostTensor.numel(shape) == 0;
            }
            expected *= shape[d];
        }
        return true;
    }

    private void readEntry(ZipEntry entry, long position, ByteBuffer into) throws IOException {
        try (var in = zip.getInputStream(entry)) {
            in.skipNBytes(position); // a seek, not a read, for the stored (uncompressed) entries torch writes
            int n = in.readNBytes(into.array(), into.arrayOffset() + into.position(), into.remaining());
            if (n < into.remaining()) {
                throw new EOFException(entry.getName() + " ended early");
            }
            into.position(into.position() + n);
        }
    }

    /**
     * The flat bytes of a non-contiguous view: the storage span the requested elements lie in is read once (made for
     * the small transposed views found in checkpoints), then each element's bytes are copied out in row-major order.
     */
    private final class Gather implements Elements.Bytes {
        private final TorchPickle.Tensor tensor;
        private final int size;
        private final Elements.Bytes storage;
        private final long low;
        private final long spanBytes;
        private byte[] span;

        Gather(String name, TorchPickle.Tensor tensor, int size, Elements.Bytes storage, long first, int count) {
            this.tensor = tensor;
            this.size = size;
            this.storage = storage;
            long[] range = {Long.MAX_VALUE, -1};
            forEachOffset(tensor, first, count, at -> {
                range[0] = Math.min(range[0], at);
                range[1] = Math.max(range[1], at);
            });
            this.low = range[0];
            this.spanBytes = (range[1] - range[0] + 1) * size;
            if (count > 0 && spanBytes > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(path + " holds tensor '" + name + "' as a non-contiguous view whose"
                        + " requested elements lie across " + spanBytes + " bytes of its storage, more than dlc4j gathers"
                        + " at once; read fewer elements at a time, or save the tensor with .contiguous()");
            }
        }

        @Override
        public void read(long position, ByteBuffer into) throws IOException {
            if (span == null) {
                var buffer = ByteBuffer.allocate((int) spanBytes);
                storage.read(low * size, buffer);
                span = buffer.array();
            }
            forEachOffset(tensor, position / size, into.remaining() / size,
                    at -> into.put(span, (int) ((at - low) * size), size));
        }
    }

    /** The storage offsets of flat row-major elements [first, first + count), in order. */
    private static void forEachOffset(TorchPickle.Tensor t, long first, long count, LongConsumer action) {
        if (count == 0) {
            return;
        }
        long[] shape = t.shape();
        long[] stride = t.stride();
        long[] index = new long[shape.length];
        long at = t.offset();
        long rest = first;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = rest % shape[d];
            rest /= shape[d];
            at += index[d] * stride[d];
        }
        for (long i = 0; i < count; i++) {
            action.accept(at);
            for (int d = shape.length - 1; d >= 0; d--) { // an odometer: the last index turns fastest
                at += stride[d];
                if (++index[d] < shape[d]) {
                    break;
                }
                at -= shape[d] * stride[d];
                index[d] = 0;
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static String text(ZipFile zip, ZipEntry entry) throws IOException {
        try (var in = zip.getInputStream(entry)) {
            return new String(in.readNBytes(64), StandardCharsets.US_ASCII);
        }
    }

    /** Not a zip that {@link ZipFile} can open: a pre-1.6 torch.save file (a bare pickle), or an incomplete download. */
    private static InvalidInputException notZip(Path path, ZipException e) {
        int first;
        try (InputStream in = Files.newInputStream(path)) {
            first = in.read();
        } catch (IOException unreadable) {
            first = -1;
        }
        if (first == 0x80) { // pickle's PROTO opcode
            return new InvalidInputException(path + " is a PyTorch checkpoint in the legacy (pre-1.6, non-zip) format,"
                    + " which dlc4j does not read; re-save it with a recent torch.save, or convert it to safetensors");
        }
        return new InvalidInputException(path + " is not a complete zip archive (" + IoErrors.describe(e)
                + "); the download was interrupted — download it again");
    }
}
