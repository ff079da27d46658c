package org.dlc4j.compose;

import java.util.List;
import java.util.Locale;
import org.dlc4j.dit.Condition;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;

/** What a composition feeds the DiT: n conditions mixed from the sources by one of the {@link Mixing} methods. */
public final class Composition {

    /** The three methods of Section 5.2; the first two make codes for the DLC DiT, the last a vector for the SEM DiT. */
    public enum Method {
        CODE, DISTRIBUTION, EMBEDDING;

        public boolean makesCodes() {
            return this != EMBEDDING;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Method parse(String s) {
            for (Method m : values()) {
                if (m.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw InvalidInputException.of("method", "method '" + s + "' is not code, distribution or embedding");
        }
    }

    private Composition() {}

    /** n conditions [codes of length L, or SEM vectors] composed from the sources with these weights (null: equal). */
    public static Condition condition(Method method, List<Source> sources, double[] weights, int n, Rng rng) {
        if (n < 1) {
            throw InvalidInputException.of("n", "n must be at least 1, not " + n);
        }
        return switch (method) {
            case CODE -> Condition.codes(Mixing.codes(sources, weights, n, rng), sources.get(0).length());
            case DISTRIBUTION -> Condition.codes(Mixing.distributions(sources, weights, n, rng), sources.get(0).length());
            case EMBEDDING -> {
                float[] mean = Mixing.vectors(sources, weights);
                float[] tiled = new float[n * mean.length];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(mean, 0, tiled, i * mean.length, mean.length);
                }
                yield Condition.vectors(tiled, mean.length);
            }
        };
    }
}
