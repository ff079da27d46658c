package org.dlc4j.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * A safetensors file read lazily: the header is checked as {@link SafeTensors#read} checks it, then each read is a
 * positional read of just the bytes asked for, so tensors over 2 GB and files over 4 GB are fine. Unlike the eager
 * reader for dlc4j's own checkpoints, it takes every dtype: F16 and BF16 convert to float32, others are listed.
 */
public final class SafeTensorsSource extends LazySource {
    private final FileChannel channel;
    private final long dataStart;
    private final LinkedHashMap<String, Long> begins = new LinkedHashMap<>();

    private SafeTensorsSource(Path path, FileChannel channel, SafeTensors.Layout layout) {
        super(path, infos(layout));
        this.channel = channel;
        this.dataStart = layout.dataStart();
        layout.entries().forEach(e -> begins.put(e.name(), e.begin()));
    }

    private static LinkedHashMap<String, TensorInfo> infos(SafeTensors.Layout layout) {
        var infos = new LinkedHashMap<String, TensorInfo>();
        layout.entries().forEach(e -> infos.put(e.name(), new TensorInfo(e.name(), e.dtype(), e.shape())));
        return infos;
    }

    public static SafeTensorsSource open(Path path) {
        try {
            return readOrClose(FileChannel.open(path), channel -> new SafeTensorsSource(path, channel,
                    SafeTensors.layout(path, channel, "the download was interrupted — download it again")));
        } catch (IOException e) {
            throw IoErrors.cannotRead(path, e);
        }
    }

    @Override
    Elements.Bytes bytes(TensorInfo info, long first, int count) {
        long start = dataStart + begins.get(info.name());
        return (position, into) -> SafeTensors.readFully(channel, start + position, into);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
