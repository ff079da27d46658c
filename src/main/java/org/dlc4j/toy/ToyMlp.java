package org.dlc4j.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.dlc4j.diffusion.gaussian.Denoiser;
import org.dlc4j.nn.Embedding;
import org.dlc4j.nn.Init;
import org.dlc4j.nn.Layers;
import org.dlc4j.nn.Linear;
import org.dlc4j.nn.Params;
import org.dlc4j.nn.TimestepEmbedder;
import org.dlc4j.util.Rng;

/**
 * The toy study's noise predictor: a 4-layer MLP on (x, y); the timestep embedding plus, when conditional,
 * a learned embedding of the mixture index (PyTorch's N(0, 1) initialisation) is added before every layer. Outputs ε and the
 * variance interpolation v for both coordinates (improved DDPM's learned σ).
 */
public final class ToyMlp implements AutoCloseable {
    /**
     * @param hidden     width of every hidden layer
     * @param layers     number of linear layers (the paper's "4-layer MLP")
     * @param classes    number of conditioning indices; 0 for the unconditional model
     * @param outChannels outputs per point: 2 (ε) or 4 (ε and v)
     */
    public record Config(int hidden, int layers, int classes, int outChannels) {
        public Config {
            if (layers < 2) {
                throw new IllegalArgumentException("an MLP needs at least 2 layers");
            }
        }
    }

    private final Config config;
    private final Params params;
    private final Linear input;
    private final Linear[] hidden;
    private final Linear output;
    private final TimestepEmbedder time;
    private final Embedding label;

    public ToyMlp(NDManager manager, Config config, Rng rng) {
        this.config = config;
        this.params = new Params(manager);
        int h = config.hidden();
        input = new Linear(params, "input", 2, h, rng);
        time = new TimestepEmbedder(params, "t_embedder", h, 128, rng);
        label = config.classes() > 0 ? new Embedding(params, "y_embedder", config.classes(), h, Init.normal(1.0), rng) : null;
        hidden = new Linear[config.layers() - 2];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = new Linear(params, "hidden." + i, h, h, rng);
        }
        output = new Linear(params, "output", h, config.outChannels(), true, Init.zeros(), Init.zeros(), rng);
    }

    public Config config() {
        return config;
    }

    public Params params() {
        return params;
    }

    /** Raw output (B, outChannels) for points x (B, 2) at model timesteps t, conditioned on {@code labels} (or null). */
    public NDArray forward(NDArray x, int[] t, int[] labels) {
        double[] td = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            td[i] = t[i];
        }
        NDArray c = time.forward(x.getManager(), td);
        if (label != null) {
            c = c.add(label.forward(labels));
        }
        // The conditioning vector enters every layer, so depth is spent on the score, not on carrying c.
        NDArray h = input.forward(x);
        for (Linear layer : hidden) {
            h = layer.forward(Layers.silu(h.add(c)));
        }
        return output.forward(Layers.silu(h.add(c)));
    }

    /** The model with fixed conditioning, as samplers see it. */
    public Denoiser denoiser(int[] labels) {
        return (x, t) -> forward(x, t, labels);
    }

    @Override
    public void close() {
        params.close();
    }
}
