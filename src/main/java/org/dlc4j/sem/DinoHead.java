package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.Scalar;
import org.dlc4j.util.Rng;

/**
 * DINO's projection head ({@code dino_head.py}): a 3-layer MLP to a bottleneck, L2 normalisation, then a
 * weight-normalised linear layer onto K prototypes whose norm is fixed at 1 (DINO's {@code norm_last_layer}), so
 * the outputs are cosine similarities to the prototypes. DINOv2's head (the paper's) initialises the norm
 * {@code weight_g} to 1 too but leaves it trainable; with g = 1 the two agree exactly (parity/README.md), and only
 * g's own update is absent here.
 */
public final class DinoHead {
    /** @param prototypes K (DINOv2: 65,536; far fewer suit ten classes) */
    public record Config(int hidden, int bottleneck, int prototypes) {
        public static Config fmnist() {
            return new Config(512, 128, 2048);
        }

        public static Config tiny() {
            return new Config(32, 16, 64);
        }
    }

    private final Linear mlp0;
    private final Linear mlp1;
    private final Linear mlp2;
    private final NDArray lastLayer; // weight_v [K, bottleneck]; weight_g is fixed to 1

    public DinoHead(Params p, String name, int in, Config c, Rng rng) {
        // DINO initialises the MLP with trunc_normal(0.02) and zero biases.
        mlp0 = new Linear(p, name + ".mlp.0", in, c.hidden(), true, Init.truncatedNormal(0.02), Init.zeros(), rng);
        mlp1 = new Linear(p, name + ".mlp.2", c.hidden(), c.hidden(), true, Init.truncatedNormal(0.02), Init.zeros(), rng);
        mlp2 = new Linear(p, name + ".mlp.4", c.hidden(), c.bottleneck(), true, Init.truncatedNormal(0.02), Init.zeros(), rng);
        lastLayer = p.add(name + ".last_layer.weight_v", new long[] {c.prototypes(), c.bottleneck()}, Init.torchDefault(c.bottleneck()), rng);
    }

    /** x: [B, in] → prototype scores [B, K] in [−1, 1]. */
    public NDArray forward(NDArray x) {
        NDArray h = mlp2.forward(Activation.gelu(mlp1.forward(Activation.gelu(mlp0.forward(x)))));
        NDArray unit = h.div(Scalar.atLeast(h.norm(new int[] {-1}, true), 1e-12));
        NDArray w = lastLayer.div(Scalar.atLeast(lastLayer.norm(new int[] {-1}, true), 1e-12));
        return unit.matMul(w.transpose());
    }
}
