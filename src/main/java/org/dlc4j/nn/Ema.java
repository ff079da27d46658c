package org.dlc4j.nn;

/**
 * Exponential moving average of weights, as in DiT: starts as a copy of the model and is updated after
 * every optimizer step. Samples are drawn from the EMA weights.
 */
public final class Ema implements AutoCloseable {
    private final Params shadow;
    private final boolean owned;

    public Ema(Params params) {
        this.shadow = params.copy();
        this.owned = true;
    }

    /** Keeps the average in {@code shadow} (which it does not close), starting from a copy of {@code params}. */
    public Ema(Params params, Params shadow) {
        shadow.assign(params);
        this.shadow = shadow;
        this.owned = false;
    }

    public Params weights() {
        return shadow;
    }

    /** Moves every shadow weight towards its namesake in {@code params} (which may hold more: BYOL's predictor has no teacher twin). */
    public void update(Params params, double decay) {
        GradMode.off();
        for (var e : shadow.all().entrySet()) {
            e.getValue().muli(decay).addi(params.get(e.getKey()).mul(1 - decay));
        }
    }

    @Override
    public void close() {
        if (owned) {
            shadow.close();
        }
    }
}
