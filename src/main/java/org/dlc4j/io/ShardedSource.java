package org.dlc4j.io;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dlc4j.util.InvalidInputException;

/**
 * A checkpoint split into shards, as the hub stores large models: an index ({@code model.safetensors.index.json},
 * {@code pytorch_model.bin.index.json}, …) whose {@code "weight_map"} names each tensor's shard file, read as one
 * source. Tensors come shard by shard, each shard's in its file order; a shard holding tensors the index does not
 * map to it has those left out, as the hub's own loaders do.
 */
public final class ShardedSource extends LazySource {
    private final List<LazySource> shards;
    private final Map<String, LazySource> owners;

    private ShardedSource(Path index, LinkedHashMap<String, TensorInfo> infos, List<LazySource> shards,
                          Map<String, LazySource> owners) {
        super(index, infos);
        this.shards = shards;
        this.owners = owners;
    }

    public static ShardedSource open(Path index) {
        var byShard = weightMap(index);
        var shards = new ArrayList<LazySource>();
        try {
            var infos = new LinkedHashMap<String, TensorInfo>();
            var owners = new HashMap<String, LazySource>();
            for (var shard : byShard.entrySet()) {
                var file = index.resolveSibling(shard.getKey());
                if (!Files.isRegularFile(file)) {
                    throw new InvalidInputException(index + " lists shard " + shard.getKey() + ", which is missing from "
                            + index.toAbsolutePath().getParent() + "; download every file the index lists");
                }
                var source = LazySource.open(file);
                shards.add(source);
                var mapped = shard.getValue();
                var held = new HashSet<>(source.names());
                for (String name : mapped) {
                    if (!held.contains(name)) {
                        throw new InvalidInputException(index + " puts tensor '" + name + "' in " + shard.getKey()
                                + ", which does not hold it; download the shard and its index again");
                    }
                }
                for (String name : source.names()) {
                    if (mapped.contains(name)) {
                        infos.put(name, source.info(name));
                        owners.put(name, source);
                    }
                }
            }
            return new ShardedSource(index, infos, shards, owners);
        } catch (RuntimeException e) {
            shards.forEach(TensorSource::close);
            throw e;
        }
    }

    /** The weight map inverted: shard file to the tensors in it, shards in order of first mention. */
    private static LinkedHashMap<String, Set<String>> weightMap(Path index) {
        String text;
        try {
            text = Files.readString(index);
        } catch (IOException e) {
            throw IoErrors.cannotRead(index, e);
        }
        var byShard = new LinkedHashMap<String, Set<String>>();
        try {
            var map = JsonParser.parseString(text).getAsJsonObject().getAsJsonObject("weight_map");
            if (map == null) {
                throw new IllegalStateException("no weight_map");
            }
            for (var e : map.entrySet()) {
                String shard = e.getValue().getAsJsonPrimitive().getAsString();
                // Shards sit beside their index; a name that leads elsewhere is not followed.
                if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                    throw new InvalidInputException(index + " names shard '" + shard + "', which is not a file beside"
                            + " the index; pass an index whose shards are plain file names");
                }
                byShard.computeIfAbsent(shard, s -> new LinkedHashSet<>()).add(e.getKey());
            }
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new InvalidInputException(index + " is not a sharded checkpoint's index (it needs a \"weight_map\""
                    + " object from tensor names to shard files); pass the .index.json that came with the shards");
        }
        return byShard;
    }

    @Override
    Elements.Bytes bytes(TensorInfo info, long first, int count) {
        return owners.get(info.name()).bytes(info, first, count);
    }

    @Override
    public void close() {
        shards.forEach(TensorSource::close);
    }
}
