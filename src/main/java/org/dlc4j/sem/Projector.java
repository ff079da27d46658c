package org.dlc4j.sem;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.dlc4j.nn.BatchNorm;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;

/**
 * The MLP heads of the two-view objectives: BYOL's projector and predictor (Grill et al. 2020: Linear, BN, ReLU,
 * Linear) and VICReg's expander (Bardes et al. 2022: two Linear-BN-ReLU layers, then Linear). Only training reads
 * them, so their BatchNorm always uses the batch's statistics.
 */
public final class Projector {
    /** @param layers linear layers (≥ 2), each but the last followed by BN and ReLU */
    public record Config(int hidden, int out, int layers) {
        public Config {
            if (layers < 2 || hidden < 1 || out < 1) {
                throw new IllegalArgumentException("a projector needs at least 2 layers and positive widths");
            }
        }
    }

    private final Linear[] linears;
    private final BatchNorm[] norms;

    public Projector(Params p, String name, int in, Config c, Rng rng) {
        linears = new Linear[c.layers()];
        norms = new BatchNorm[c.layers() - 1];
        for (int i = 0; i < c.layers(); i++) {
            boolean last = i == c.layers() - 1;
            int width = last ? c.out() : c.hidden();
            // A BN follows every hidden layer, so those need no bias (as the references).
            int fanIn = i == 0 ? in : c.hidden();
            linears[i] = new Linear(p, name + ".layers." + i, fanIn, width, last, Init.torchDefault(fanIn), Init.torchDefault(fanIn), rng);
            if (!last) {
                norms[i] = new BatchNorm(p, name + ".norms." + i, width, rng);
            }
        }
    }

    /** x: [B, in] → [B, out]. */
    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (int i = 0; i < linears.length; i++) {
            h = linears[i].forward(h);
            if (i < norms.length) {
                h = Activation.relu(norms[i].forward(h, true));
            }
        }
        return h;
    }
}
