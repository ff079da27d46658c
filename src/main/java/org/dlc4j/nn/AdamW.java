package org.dlc4j.nn;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dlc4j.io.HostTensor;

/**
 * AdamW (Loshchilov &amp; Hutter) with PyTorch's update order: decoupled decay p ← p(1 − lr·wd), then the
 * bias-corrected Adam step. Its moments are ordinary {@link Params} so they are saved and restored exactly
 * (DJL's own optimizer keeps them private).
 */
public final class AdamW implements AutoCloseable {
    /** Optimizer hyper-parameters; defaults are PyTorch's. */
    public record Config(double beta1, double beta2, double eps, double weightDecay) {
        public static Config defaults() {
            return new Config(0.9, 0.999, 1e-8, 0.0);
        }
    }

    private final Config config;
    private final Params m;
    private final Params v;
    private long t;

    public AdamW(Params params, Config config) {
        this.config = config;
        this.m = params.zerosLike();
        this.v = params.zerosLike();
    }

    public long stepCount() {
        return t;
    }

    /** Applies one update with the given gradients (same names as the parameters). */
    public void step(Params params, Map<String, NDArray> grads, double lr) {
        t++;
        double bc1 = 1 - Math.pow(config.beta1(), t);
        double bc2 = 1 - Math.pow(config.beta2(), t);
        for (var e : params.all().entrySet()) {
            NDArray p = e.getValue();
            NDArray g = grads.get(e.getKey());
            NDArray mi = m.get(e.getKey());
            NDArray vi = v.get(e.getKey());
            mi.muli(config.beta1()).addi(g.mul(1 - config.beta1()));
            vi.muli(config.beta2()).addi(g.square().muli(1 - config.beta2()));
            if (config.weightDecay() != 0) {
                p.muli(1 - lr * config.weightDecay());
            }
            NDArray denom = vi.div(bc2).sqrt().addi(config.eps());
            p.subi(mi.div(denom).muli(lr / bc1));
        }
    }

    public LinkedHashMap<String, HostTensor> state(String prefix) {
        LinkedHashMap<String, HostTensor> out = new LinkedHashMap<>(m.toHost(prefix + "m."));
        out.putAll(v.toHost(prefix + "v."));
        return out;
    }

    public void loadState(Map<String, HostTensor> tensors, String prefix, long stepCount, Path source) {
        m.load(tensors, prefix + "m.", source);
        v.load(tensors, prefix + "v.", source);
        t = stepCount;
    }

    @Override
    public void close() {
        m.close();
        v.close();
    }
}
