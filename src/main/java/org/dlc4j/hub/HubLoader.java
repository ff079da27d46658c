package org.dlc4j.hub;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dlc4j.io.TensorSource;
import org.dlc4j.nn.Params;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.ModelMismatchException;

/**
 * Fills a dlc4j model's weights from a released checkpoint: every tensor of the checkpoint is mapped by
 * {@link HubNames} and must be used or deliberately dropped, every weight of the model must be found, and every
 * shape must agree. A weight dlc4j keeps in row blocks (the released SEM head, see
 * {@link org.dlc4j.nn.BlockedLinear}) takes its rows from the one reference tensor.
 */
public final class HubLoader {
    /** Floats read per request: large tensors stream through the heap in pieces of this size. */
    private static final int CHUNK = 1 << 24;
    private static final Pattern BLOCK = Pattern.compile("^(.*)\\.(\\d+)$");

    private HubLoader() {
    }

    /** What was loaded: the reference names dropped on purpose, each with its reason, and the wrapper removed. */
    public record Report(String wrapper, Map<String, String> dropped, int loaded) {
    }

    public static Report load(Params params, ReleasedKind kind, TensorSource source) {
        Map<String, NDArray> mine = new LinkedHashMap<>(params.all());
        mine.putAll(params.buffers());
        List<String> names = source.names();
        String wrapper = HubNames.commonWrapper(names);
        Map<String, String> hubOf = new LinkedHashMap<>(); // dlc4j name (blocks under their base name) → hub name
        Map<String, String> dropped = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String hub : names) {
            String bare = hub.substring(wrapper.length());
            HubNames.Fate fate = HubNames.fate(kind, bare, mine.keySet());
            if (fate instanceof HubNames.Mapped m) {
                hubOf.put(m.name(), hub);
            } else if (fate instanceof HubNames.Dropped d) {
                dropped.put(hub, d.why());
            } else {
                unknown.add(hub);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidInputException(source.path() + " holds " + unknown.size() + " tensor(s) a released " + label(kind)
                    + " does not have, e.g. '" + unknown.get(0) + "': is this the right folder for --kind " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + ", or a checkpoint of another architecture?");
        }
        if (kind == ReleasedKind.DIT && names.contains(wrapper + "pos_embed")) {
            checkSinCos(source, wrapper + "pos_embed");
        }
        // Row blocks of one reference tensor: "<base>.k" in dlc4j, in order.
        Map<String, Long> rowsBefore = new LinkedHashMap<>();
        TreeSet<String> missing = new TreeSet<>();
        for (var e : mine.entrySet()) {
            String name = e.getKey();
            String hub = hubOf.get(name);
            long firstRow = 0;
            String base = name;
            if (hub == null) {
                Matcher m = BLOCK.matcher(name);
                if (m.matches() && hubOf.containsKey(m.group(1))) {
                    base = m.group(1);
                    hub = hubOf.get(base);
                    firstRow = rowsBefore.getOrDefault(base, 0L);
                }
            }
            if (hub == null) {
                missing.add(name);
                continue;
            }
            long[] want = e.getValue().getShape().getShape();
            long[] have = source.info(hub).shape();
            long[] expected = base.equals(name) ? want : blockOf(want, have);
            if (!Arrays.equals(expected, have)) {
                throw new ModelMismatchException(source.path() + ": tensor '" + hub + "' has shape " + Arrays.toString(have) + " but the "
                        + label(kind) + " read from its config.json needs " + Arrays.toString(expected)
                        + ": config.json and the weights disagree, or the weights are of another model");
            }
            long perRow = want.length > 1 ? Arrays.stream(want).skip(1).reduce(1, (a, b) -> a * b) : 1;
            e.getValue().set(read(source, hub, firstRow * perRow, Math.toIntExact(Arrays.stream(want).reduce(1, (a, b) -> a * b))));
            if (!base.equals(name)) {
                rowsBefore.put(base, firstRow + want[0]);
            }
        }
        for (var b : rowsBefore.entrySet()) {
            long rows = source.info(hubOf.get(b.getKey())).shape()[0];
            if (b.getValue() != rows) {
                throw new ModelMismatchException(source.path() + ": tensor '" + hubOf.get(b.getKey()) + "' has " + rows + " rows, the model's blocks "
                        + b.getValue());
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidInputException(source.path() + " lacks " + missing.size() + " tensor(s) of a released " + label(kind) + ", e.g. '"
                    + missing.first() + "': the checkpoint is incomplete or of another configuration (check config.json)");
        }
        return new Report(wrapper, dropped, mine.size());
    }

    /**
     * DiT stores its fixed position table; dlc4j recomputes it, so a file whose table is another (learned, or another
     * formula) would be run with the wrong positions: refuse it.
     */
    private static void checkSinCos(TensorSource source, String name) {
        long[] s = source.info(name).shape(); // [1, g², D]
        int grid = (int) Math.round(Math.sqrt(s[1]));
        float[] want = org.dlc4j.nn.Layers.sinCos2d((int) s[2], grid);
        float[] have = read(source, name, 0, want.length);
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - have[i]) > 1e-4) {
                throw new ModelMismatchException(source.path() + ": " + name + " is not DiT's fixed 2-D sin-cos table (entry " + i + " is "
                        + have[i] + ", not " + want[i] + "): dlc4j's DiT cannot run this model");
            }
        }
    }

    /** The reference tensor's shape a block [r, ...] of it implies: its rows free, the rest equal. */
    private static long[] blockOf(long[] block, long[] whole) {
        long[] s = block.clone();
        if (whole.length == block.length) {
            s[0] = whole[0];
        }
        return s;
    }

    private static float[] read(TensorSource source, String name, long first, int count) {
        float[] out = new float[count];
        for (int done = 0; done < count; done += CHUNK) {
            int n = Math.min(CHUNK, count - done);
            System.arraycopy(source.readFloats(name, first + done, n), 0, out, done, n);
        }
        return out;
    }

    static String label(ReleasedKind kind) {
        return switch (kind) {
            case ENCODER -> "SEM encoder";
            case DIT -> "DiT";
            case PRIOR -> "SEDD prior";
            case VAE -> "VAE";
        };
    }
}
