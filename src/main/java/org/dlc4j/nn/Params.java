package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.dlc4j.io.HostTensor;
import org.dlc4j.util.ModelMismatchException;
import org.dlc4j.util.Rng;

/**
 * The named, ordered weights of one model, with PyTorch-style dotted names ({@code blocks.0.attn.qkv.weight}).
 * Layers register their tensors here; the optimizer, EMA and checkpoints all work on this map, so a
 * checkpoint written by dlc4j reads like a PyTorch state dict.
 */
public final class Params implements AutoCloseable {
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> arrays = new LinkedHashMap<>();
    // State that is saved and loaded with the weights but not trained (BatchNorm's running statistics): outside
    // all(), so neither the optimizer, nor the gradient clip, nor the EMA sees it.
    private final LinkedHashMap<String, NDArray> buffers = new LinkedHashMap<>();

    // Weights about to be overwritten by a file are not drawn: the released DiT's 821M would take minutes of Box-Muller.
    private final boolean forLoading;

    public Params(NDManager parent) {
        this(parent, false);
    }

    private Params(NDManager parent, boolean forLoading) {
        this.manager = parent.newSubManager();
        this.forLoading = forLoading;
    }

    /**
     * Weights that a checkpoint will fill: {@link #add} allocates zeros instead of sampling the layer's initialisation
     * (and consumes nothing from the {@link Rng}), so that building a large model only to load it costs no time.
     */
    public static Params forLoading(NDManager parent) {
        return new Params(parent, true);
    }

    public NDManager manager() {
        return manager;
    }

    public NDArray add(String name, long[] shape, Init init, Rng rng) {
        if (arrays.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter " + name);
        }
        NDArray a = forLoading ? manager.zeros(new Shape(shape)) : manager.create(init.sample(shape, rng), new Shape(shape));
        a.setRequiresGradient(true);
        arrays.put(name, a);
        return a;
    }

    /** A named tensor that is saved and loaded with the weights but never trained, filled with {@code value}. */
    public NDArray buffer(String name, long[] shape, float value) {
        if (arrays.containsKey(name) || buffers.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter " + name);
        }
        NDArray a = manager.full(new Shape(shape), value);
        buffers.put(name, a);
        return a;
    }

    /** The untrained buffers, in registration order. */
    public Map<String, NDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return a;
    }

    public Map<String, NDArray> all() {
        return Collections.unmodifiableMap(arrays);
    }

    public long numel() {
        return arrays.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** A same-named, same-shaped set built by {@code fn(name, array)} (EMA shadows, optimizer moments). */
    public Params derive(BiFunction<String, NDArray, NDArray> fn) {
        Params out = new Params(manager.getParentManager());
        arrays.forEach((name, a) -> {
            NDArray d = fn.apply(name, a);
            d.attach(out.manager);
            out.arrays.put(name, d);
        });
        return out;
    }

    public Params zerosLike() {
        return derive((name, a) -> a.zerosLike());
    }

    public Params copy() {
        return derive((name, a) -> a.duplicate());
    }

    /** Copies values from {@code src} in place (same names and shapes). */
    public void assign(Params src) {
        arrays.forEach((name, a) -> a.set(src.get(name).toFloatArray()));
    }

    public LinkedHashMap<String, HostTensor> toHost(String prefix) {
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>();
        arrays.forEach((name, a) -> out.put(prefix + name, HostTensor.ofFloats(a.getShape().getShape(), a.toType(DataType.FLOAT32, false).toFloatArray())));
        buffers.forEach((name, a) -> out.put(prefix + name, HostTensor.ofFloats(a.getShape().getShape(), a.toFloatArray())));
        return out;
    }

    /**
     * Loads every parameter from {@code tensors[prefix + name]}, checking names and shapes so a checkpoint
     * of another configuration fails with a message instead of silently mis-loading.
     */
    public void load(Map<String, HostTensor> tensors, String prefix, Path source) {
        load(arrays, tensors, prefix, source);
        load(buffers, tensors, prefix, source);
    }

    private static void load(Map<String, NDArray> into, Map<String, HostTensor> tensors, String prefix, Path source) {
        for (var e : into.entrySet()) {
            HostTensor t = tensors.get(prefix + e.getKey());
            if (t == null) {
                throw new ModelMismatchException(source + " has no tensor '" + prefix + e.getKey() + "': it was written for a different model configuration");
            }
            long[] want = e.getValue().getShape().getShape();
            if (!Arrays.equals(want, t.shape())) {
                throw new ModelMismatchException(source + ": tensor '" + prefix + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but this model needs " + Arrays.toString(want) + ": the checkpoint was trained with a different configuration");
            }
            e.getValue().set(t.floats());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
