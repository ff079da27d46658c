package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;
import org.dlc4j.util.Rng;

/**
 * y = x Wᵀ without bias, W [out, in] kept as blocks of whole row groups when it is too large for one Java array: a
 * float array or buffer holds at most 2 GB, and the released SEM head's input projection (L 512 × V 256 outputs of
 * ViT-L's 5 × 1,024 tokens) is 671M floats, 2.7 GB. With one block this is a {@link Linear} under the usual name
 * {@code <name>.weight}; with k blocks the rows are split into k near-equal runs of whole groups ({@code group} rows:
 * one SEM position's V logits), named {@code <name>.weight.0} … {@code <name>.weight.(k−1)}. The product is the
 * same either way; only the storage differs.
 */
public final class BlockedLinear {
    /** Largest block: 2^28 floats (1 GiB), well under the 2 GB limit, so building one needs no more than 1 GiB of heap. */
    public static final long MAX_BLOCK = 1L << 28;

    private final List<NDArray> blocks = new ArrayList<>();

    public BlockedLinear(Params p, String name, int in, int out, int group, Init init, Rng rng) {
        this(p, name, in, out, group, MAX_BLOCK, init, rng);
    }

    /** @param maxBlock most floats in one block (tests use small values) */
    public BlockedLinear(Params p, String name, int in, int out, int group, long maxBlock, Init init, Rng rng) {
        List<Integer> rows = rows(in, out, group, maxBlock);
        for (int k = 0; k < rows.size(); k++) {
            blocks.add(p.add(rows.size() == 1 ? name + ".weight" : name + ".weight." + k, new long[] {rows.get(k), in}, init, rng));
        }
    }

    /** The rows of each block: one block when it fits, else the fewest near-equal runs of whole groups that do. */
    public static List<Integer> rows(int in, int out, int group, long maxBlock) {
        if (out % group != 0) {
            throw new IllegalArgumentException(out + " rows are not whole groups of " + group);
        }
        int groups = out / group;
        long perGroup = (long) group * in;
        if (perGroup > maxBlock) {
            throw new IllegalArgumentException("one group of " + group + " rows × " + in + " exceeds a block of " + maxBlock + " floats");
        }
        int k = (int) ((perGroup * groups + maxBlock - 1) / maxBlock);
        while ((long) ((groups + k - 1) / k) * perGroup > maxBlock) {
            k++;
        }
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            rows.add((groups * (i + 1) / k - groups * i / k) * group);
        }
        return rows;
    }

    public NDArray forward(NDArray x) {
        if (blocks.size() == 1) {
            return ai.djl.nn.core.Linear.linear(x, blocks.get(0)).singletonOrThrow();
        }
        NDList parts = new NDList();
        for (NDArray w : blocks) {
            parts.add(ai.djl.nn.core.Linear.linear(x, w).singletonOrThrow());
        }
        return NDArrays.concat(parts, -1);
    }
}
