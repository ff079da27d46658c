package org.dlc4j.diffusion.discrete;

import java.util.Locale;
import org.dlc4j.util.Listener;
import org.dlc4j.util.Rng;
import org.dlc4j.util.StoppedException;

/**
 * SEDD's reverse process over the absorbing graph (the reference's {@code get_pc_sampler}): start fully masked, walk the
 * time grid t = 1 … ε in {@code steps} equal steps with a predictor, then (optionally) one final denoising step that fills
 * every position still masked.
 *
 * <ul>
 *   <li>{@code euler}: one Euler step of the reverse rate over dt;</li>
 *   <li>{@code analytic}: Tweedie τ-leaping from σ̄(t) to σ̄(t − dt), exact per position for the true score;</li>
 *   <li>{@code remask}: the DLC fork's corrector (ReMDM): inside the window t₀ &lt; t &lt; t₁ the step is lengthened to
 *       t − dt − η(1 − t), and then η(1 − p_mask) of each position's weight moves from its most likely state to the mask,
 *       so an already decoded token is masked again with probability η; outside the window it is {@code analytic}.</li>
 * </ul>
 */
public final class PriorSampler {
    public enum Predictor { EULER, ANALYTIC, REMASK;

        public static Predictor parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sampler '" + s + "' is not euler, analytic or remask");
            }
        }
    }

    /**
     * @param eta     remasking rate η ∈ [0, 1] (remask only; reference 0.01)
     * @param t0      start of the remasking window (reference 0.3)
     * @param t1      end of the remasking window (reference 0.55)
     * @param denoise finish with the denoising step (reference: yes); without it a code may keep masked positions
     * @param eps     the last time of the grid (reference 1e-5)
     */
    public record Config(Predictor predictor, int steps, double eta, double t0, double t1, boolean denoise, double eps) {
        public Config {
            if (steps < 1) {
                throw new IllegalArgumentException("prior sampling steps must be at least 1, not " + steps);
            }
            if (!(eta >= 0 && eta <= 1)) {
                throw new IllegalArgumentException("remasking rate η must be in [0, 1], not " + eta);
            }
            if (!(t0 >= 0 && t0 < t1 && t1 <= 1)) {
                throw new IllegalArgumentException("the remasking window needs 0 ≤ t0 < t1 ≤ 1, not [" + t0 + ", " + t1 + "]");
            }
        }

        public static Config of(Predictor predictor, int steps, double eta) {
            return new Config(predictor, steps, eta, 0.3, 0.55, true, 1e-5);
        }

        public String describe() {
            return String.format(Locale.ROOT, "%s %d steps%s", predictor.name().toLowerCase(Locale.ROOT), steps,
                    predictor == Predictor.REMASK ? String.format(Locale.ROOT, " η %.3g in [%.2f, %.2f]", eta, t0, t1) : "");
        }
    }

    /** The model's concrete score, exponentiated: [count, L, V+1] for codes x (count·L tokens) at total noise σ̄. */
    @FunctionalInterface
    public interface ScoreFn {
        float[] scores(int[] tokens, int count, double sigmaBar);
    }

    /**
     * Chooses the next state of one position from its V + 1 unnormalised weights: {@link #sample} draws by inverse CDF
     * from its {@link Rng}; the parity test replays the reference's draws through it.
     */
    @FunctionalInterface
    public interface Draw {
        /**
         * @param position index of the position among the count·L of the batch
         * @param w        its weights (may be negative: only the positive ones can be drawn)
         * @param k        the states allowed, 0..k−1 (V + 1, or V at the denoising step)
         */
        int draw(int position, double[] w, int k);
    }

    private PriorSampler() {}

    /** {@code count} codes of {@code length} tokens in 0..V−1 (masks may remain only without the denoising step). */
    public static int[] sample(ScoreFn model, Absorbing graph, LogLinearNoise noise, int length, int count, Config c, Rng rng) {
        int[] x = new int[count * length];
        java.util.Arrays.fill(x, graph.mask());
        return infill(model, graph, noise, x, count, c, rng);
    }

    /**
     * Completes {@code count} partial codes: every position of {@code start} that holds the mask is drawn, every other
     * is kept (code infilling; the reference conditions SEDD on a prompt the same way, walking the whole time grid and
     * putting the given tokens back after each step, which only the remasking corrector could otherwise move). With
     * every position masked this is {@link #sample}, draw for draw.
     */
    public static int[] infill(ScoreFn model, Absorbing graph, LogLinearNoise noise, int[] start, int count, Config c, Rng rng) {
        int[] x = start.clone();
        double dt = (1 - c.eps()) / c.steps();
        Draw draw = (position, w, k) -> draw(w, k, rng);
        Listener listener = Listener.current();
        for (int i = 0; i < c.steps(); i++) {
            step(model, graph, noise, x, count, 1 - i * dt, dt, c, draw);
            keep(start, x, graph.mask());
            listener.progress(TASK, i + 1, c.steps(), "");
            if (listener.stopRequested()) {
                throw new StoppedException(TASK);
            }
        }
        if (c.denoise()) {
            denoise(model, graph, noise, x, count, c, draw);
            keep(start, x, graph.mask());
        }
        listener.done(TASK);
        return x;
    }

    /** What the sampler's progress is called when reported to the {@link Listener}. */
    public static final String TASK = "code sampling";

    private static void keep(int[] start, int[] x, int mask) {
        for (int p = 0; p < x.length; p++) {
            if (start[p] != mask) {
                x[p] = start[p];
            }
        }
    }

    /** One predictor step of {@code c.predictor()} from time t to t − dt, updating the codes {@code x} in place. */
    public static void step(ScoreFn model, Absorbing graph, LogLinearNoise noise, int[] x, int count, double t, double dt, Config c,
                            Draw draw) {
        int states = graph.states();
        double[] w = new double[states];
        boolean remask = c.predictor() == Predictor.REMASK && t > c.t0() && t < c.t1();
        float[] score = model.scores(x, count, noise.total(t));
        double f = switch (c.predictor()) {
            case EULER -> dt * noise.rate(t);
            case ANALYTIC, REMASK -> {
                double s = remask ? Math.max(0, t - dt - c.eta() * (1 - t)) : t - dt;
                yield Math.expm1(noise.total(t) - noise.total(s));
            }
        };
        for (int p = 0; p < x.length; p++) {
            graph.reverseStep(score, p * states, x[p], f, w);
            if (remask) {
                renoise(w, graph.mask(), c.eta());
            }
            x[p] = draw.draw(p, w, states);
        }
    }

    /** The final denoising step at time {@code c.eps()}: every position still masked is filled, in place. */
    public static void denoise(ScoreFn model, Absorbing graph, LogLinearNoise noise, int[] x, int count, Config c, Draw draw) {
        int states = graph.states();
        double[] w = new double[states];
        double sigma = noise.total(c.eps());
        float[] score = model.scores(x, count, sigma);
        double f = Math.expm1(sigma);
        for (int p = 0; p < x.length; p++) {
            graph.reverseStep(score, p * states, x[p], f, w);
            x[p] = draw.draw(p, w, graph.vocab()); // the mask column dropped: every position ends decoded
        }
    }

    /** Moves η(1 − p_mask) of the weight from the most likely state to the mask (all of it to the mask if that is the mask). */
    static void renoise(double[] w, int mask, double eta) {
        int argmax = 0;
        for (int k = 1; k < w.length; k++) {
            if (w[k] > w[argmax]) {
                argmax = k;
            }
        }
        double moved = eta * (1 - w[mask]);
        w[mask] += moved;
        if (argmax != mask) {
            w[argmax] -= moved;
        }
    }

    /** A state drawn ∝ max(w, 0) among the first {@code k} entries, by inverse CDF from one uniform. */
    static int draw(double[] w, int k, Rng rng) {
        double total = 0;
        for (int j = 0; j < k; j++) {
            total += Math.max(w[j], 0);
        }
        double u = rng.nextDouble() * total;
        int last = 0;
        for (int j = 0; j < k; j++) {
            if (w[j] > 0) {
                last = j;
                u -= w[j];
                if (u < 0) {
                    return j;
                }
            }
        }
        return last;
    }
}
