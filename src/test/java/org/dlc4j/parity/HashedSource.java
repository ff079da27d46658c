package org.dlc4j.parity;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dlc4j.io.TensorInfo;
import org.dlc4j.io.TensorSource;

/**
 * A released checkpoint whose weights are parity/hashed.py's, under the reference's names: what the parity tests of
 * the released sizes load through the importer. The names, shapes, scales and offsets are listed per golden in
 * {@code parity/released-weights.json}.
 */
final class HashedSource implements TensorSource {
    private record Spec(long[] shape, double scale, double offset) {
    }

    private final String golden;
    private final Map<String, Spec> specs;

    private HashedSource(String golden, Map<String, Spec> specs) {
        this.golden = golden;
        this.specs = specs;
    }

    static HashedSource of(String golden) {
        JsonObject all;
        try (InputStream in = HashedSource.class.getResourceAsStream("/parity/released-weights.json")) {
            all = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Spec> specs = new LinkedHashMap<>();
        for (var e : all.getAsJsonArray(golden)) {
            JsonObject o = e.getAsJsonObject();
            JsonArray s = o.getAsJsonArray("shape");
            long[] shape = new long[s.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.get(i).getAsLong();
            }
            specs.put(o.get("name").getAsString(), new Spec(shape, o.get("scale").getAsDouble(), o.get("offset").getAsDouble()));
        }
        return new HashedSource(golden, specs);
    }

    long[] shape(String name) {
        Spec s = specs.get(name);
        return s == null ? null : s.shape.clone();
    }

    @Override
    public Path path() {
        return Path.of("parity", golden);
    }

    @Override
    public List<String> names() {
        return new ArrayList<>(specs.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        return new TensorInfo(name, "F32", specs.get(name).shape);
    }

    @Override
    public float[] readFloats(String name, long first, int count) {
        Spec s = specs.get(name);
        float[] out = new float[count];
        HashedWeights.fill(name, s.scale, s.offset, first, out);
        return out;
    }

    @Override
    public long[] readLongs(String name, long first, int count) {
        throw new UnsupportedOperationException("hashed weights are floating");
    }

    @Override
    public void close() {
    }
}
