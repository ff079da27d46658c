package org.dlc4j.io;

import java.nio.file.Path;
import java.util.List;

/**
 * Weights read lazily from a file: any element range of any tensor, converted to float32, without loading the file.
 * Released checkpoints hold tensors larger than a Java array (a 131072×5120 float32 weight is 2.7 GB), so a reader
 * asks for ranges. Implementations are safe to read from several threads; close releases the files.
 */
public interface TensorSource extends AutoCloseable {

    /**
     * What {@link #open} looks for in a folder, in this order: the file names the Hugging Face hub uses for
     * transformers and diffusers weights, safetensors before PyTorch's format as the hub's own loaders prefer.
     */
    List<String> WEIGHT_FILES = List.of(
            "model.safetensors", "model.safetensors.index.json",
            "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.safetensors.index.json",
            "pytorch_model.bin", "pytorch_model.bin.index.json",
            "diffusion_pytorch_model.bin", "diffusion_pytorch_model.bin.index.json");

    /** The file this source reads (for a sharded checkpoint, its index). */
    Path path();

    /** Tensor names in file order. */
    List<String> names();

    /** The named tensor's dtype and shape; a name the file lacks is refused. */
    TensorInfo info(String name);

    /**
     * Flat row-major elements [first, first + count) of a floating tensor as float32: F16 and BF16 widened exactly,
     * F64 rounded to nearest. Another dtype is refused, naming the fix.
     */
    float[] readFloats(String name, long first, int count);

    /** Flat row-major elements [first, first + count) of an integer or boolean tensor (I64 … I8, U8, BOOL). */
    long[] readLongs(String name, long first, int count);

    /** Releases the file; a close failure of a file only read loses nothing, so it is not reported. */
    @Override
    void close();

    /**
     * Opens a safetensors file, a PyTorch zip checkpoint (torch.save, e.g. {@code pytorch_model.bin}), a sharded
     * checkpoint's {@code *.index.json}, or a folder holding one of {@link #WEIGHT_FILES}. The format is told by the
     * file's first bytes, not its name.
     */
    static TensorSource open(Path path) {
        return LazySource.open(path);
    }
}
