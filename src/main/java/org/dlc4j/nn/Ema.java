package org.dlc4j.nn;

/**
 * Exponential moving average of weights, as in DiT: starts as a copy of the model and is updated after
 * every optimizer step. Samples are drawn from the EMA weights.
 */
public final class Ema implements AutoCloseable {
    private final Params shadow;
    private final double decay;

    public Ema(Params params, double decay) {
        this.shadow = params.copy();
        this.decay = decay;
    }

    public Params weights() {
        return shadow;
    }

    public void update(Params params) {
        for (var e : params.all().entrySet()) {
            shadow.get(e.getKey()).muli(decay).addi(e.getValue().mul(1 - decay));
        }
    }

    @Override
    public void close() {
        shadow.close();
    }
}
