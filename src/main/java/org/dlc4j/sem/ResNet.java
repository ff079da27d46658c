package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.dlc4j.nn.BatchNorm;
import org.dlc4j.nn.Conv2d;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;

/**
 * A residual convolutional backbone sized for 28–32 px images, as the CIFAR ResNets of He et al. (2016) and the
 * ResNet-18 "CIFAR stem" of the self-supervised benchmarks: a 3×3 stem without pooling, then stages of basic blocks
 * (3×3 conv, BN, ReLU, 3×3 conv, BN, plus the input or its 1×1-projected shortcut, ReLU), each stage after the first
 * halving the resolution and taking the next width, then global average pooling. It replaces the ViT where a
 * backbone must learn from scratch on a small budget: convolutions start with the locality a ViT must learn
 * (issue 22's A/B table in docs/sem measures the difference).
 *
 * <p>Weights follow torchvision: Kaiming-normal (fan-out) convolutions, BN scale 1, and 0 on each block's last BN so
 * that every block starts as the identity (Goyal et al. 2017), which speeds up the first steps.
 */
public final class ResNet {
    private record Block(Conv2d conv1, BatchNorm bn1, Conv2d conv2, BatchNorm bn2, Conv2d shortcut, BatchNorm shortcutBn) {
        NDArray forward(NDArray x, boolean training, double momentum) {
            NDArray h = Activation.relu(bn1.forward(conv1.forward(x), training, momentum));
            h = bn2.forward(conv2.forward(h), training, momentum);
            NDArray skip = shortcut == null ? x : shortcutBn.forward(shortcut.forward(x), training, momentum);
            return Activation.relu(h.add(skip));
        }
    }

    private final Conv2d stem;
    private final BatchNorm stemBn;
    private final Block[] blocks;
    private final int width;

    /**
     * @param widths channels of each stage; every stage after the first starts with a stride-2 block
     * @param depth  basic blocks per stage
     */
    public ResNet(Params p, String name, int channels, int[] widths, int depth, Rng rng) {
        stem = Conv2d.noBias(p, name + ".stem", channels, widths[0], 3, 1, 1, kaiming(widths[0], 3), rng);
        stemBn = new BatchNorm(p, name + ".stem_bn", widths[0], rng);
        blocks = new Block[widths.length * depth];
        int in = widths[0];
        for (int s = 0; s < widths.length; s++) {
            for (int d = 0; d < depth; d++) {
                int out = widths[s];
                int stride = s > 0 && d == 0 ? 2 : 1;
                String b = name + ".layer" + (s + 1) + "." + d;
                Conv2d shortcut = stride != 1 || in != out ? Conv2d.noBias(p, b + ".shortcut", in, out, 1, stride, 0, kaiming(out, 1), rng) : null;
                blocks[s * depth + d] = new Block(
                        Conv2d.noBias(p, b + ".conv1", in, out, 3, stride, 1, kaiming(out, 3), rng), new BatchNorm(p, b + ".bn1", out, rng),
                        Conv2d.noBias(p, b + ".conv2", out, out, 3, 1, 1, kaiming(out, 3), rng), new BatchNorm(p, b + ".bn2", out, 0f, rng),
                        shortcut, shortcut == null ? null : new BatchNorm(p, b + ".shortcut_bn", out, rng));
                in = out;
            }
        }
        width = in;
    }

    /** Channels of the pooled feature. */
    public int width() {
        return width;
    }

    /**
     * @param x        images [B, C, H, W]
     * @param training BatchNorm on the batch's statistics (updating the running ones by {@code momentum}) or on the
     *                 running ones
     * @return the pooled feature [B, width]
     */
    public NDArray forward(NDArray x, boolean training, double momentum) {
        NDArray h = Activation.relu(stemBn.forward(stem.forward(x), training, momentum));
        for (Block block : blocks) {
            h = block.forward(h, training, momentum);
        }
        Shape s = h.getShape();
        return h.reshape(s.get(0), s.get(1), -1).mean(new int[] {2}); // DJL's mean takes one axis at a time
    }

    /** torchvision's kaiming_normal_(mode="fan_out", nonlinearity="relu"): N(0, 2 / (out·k²)). */
    private static Init kaiming(int out, int kernel) {
        return Init.normal(Math.sqrt(2.0 / (out * kernel * kernel)));
    }
}
