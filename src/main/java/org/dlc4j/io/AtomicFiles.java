package org.dlc4j.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Write-then-rename, so a crash or a full disk mid-write never destroys the previous file at the
 * target: readers see either the old complete file or the new complete one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Test seam: wraps the temp-file stream so tests can make a write fail halfway. */
    static volatile UnaryOperator<OutputStream> streamHook = UnaryOperator.identity();

    /** Writes {@code text} (UTF-8) to {@code target} atomically. */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Writes {@code body} to {@code target} atomically; I/O failures become a {@link org.dlc4j.util.DlcIoException}. */
    public static void write(Path target, Body body) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        // A dot-prefixed sibling: same file system (so the rename is atomic) and hidden from directory listings.
        Path tmp = dir.resolve("." + abs.getFileName() + ".tmp" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean moved = false;
        try {
            Files.createDirectories(dir);
            try (var channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 var out = new BufferedOutputStream(streamHook.apply(Channels.newOutputStream(channel)), 1 << 16)) {
                body.writeTo(shielded(out));
                out.flush();
                channel.force(true); // the rename must not reach the disk before the data does
            }
            move(tmp, abs);
            moved = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw IoErrors.cannotWrite(target, e);
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
        }
    }

    /** Lets bodies wrap the stream in try-with-resources without closing the channel we still need to sync. */
    private static OutputStream shielded(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len); // FilterOutputStream would otherwise write byte by byte
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Some network/FUSE file systems lack atomic rename; a plain replace is the best they offer.
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable; not possible on every OS (e.g. Windows), where it is skipped. */
    private static void syncDirectory(Path dir) {
        try (var channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // The file content is already durable; only the directory entry might lag.
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // Nothing better to do: the original failure is what the caller needs to see.
        }
    }
}
