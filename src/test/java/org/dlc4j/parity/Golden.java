package org.dlc4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.dlc4j.io.HostTensor;
import org.dlc4j.io.Npz;
import org.dlc4j.nn.Params;

/**
 * One golden file written by {@code parity/goldens.py} from the authors' PyTorch modules: the weights under dlc4j's
 * names ({@code param.}), the inputs and random draws ({@code input.}), what the reference computed ({@code output.})
 * and the gradients of its training loss ({@code grad.}).
 *
 * <p>Tolerances are relative to the largest magnitude of the expected tensor, max|actual − expected| ≤ tol·max|expected|:
 * entries near zero carry no scale of their own, and two float32 libraries summing in different orders differ by a few
 * ulps of the largest terms, not of each entry.
 */
public final class Golden {
    /** Outputs: the bound. */
    public static final double OUTPUT_TOL = 1e-5;
    /** Gradients, one backward pass deeper in float32 rounding. */
    public static final double GRAD_TOL = 1e-4;

    private final String name;
    private final Path path;
    private final LinkedHashMap<String, HostTensor> arrays;
    private final LinkedHashMap<String, Double> observed = new LinkedHashMap<>();

    private Golden(String name, Path path, LinkedHashMap<String, HostTensor> arrays) {
        this.name = name;
        this.path = path;
        this.arrays = arrays;
    }

    /** src/test/resources/parity/{name}.npz. */
    public static Golden load(String name) {
        var url = Golden.class.getResource("/parity/" + name + ".npz");
        assertNotNull(url, "no golden parity/" + name + ".npz: regenerate with parity/goldens.py (parity/README.md)");
        try {
            Path p = Path.of(url.toURI());
            return new Golden(name, p, Npz.read(p));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() {
        return name;
    }

    /** The relative error max|actual − expected| / max|expected| of every check made so far, by key (for reports). */
    public Map<String, Double> observed() {
        return java.util.Collections.unmodifiableMap(observed);
    }

    public boolean has(String key) {
        return arrays.containsKey(key);
    }

    public HostTensor get(String key) {
        HostTensor t = arrays.get(key);
        assertNotNull(t, () -> name + " has no array " + key + " (it has " + arrays.keySet() + ")");
        return t;
    }

    /** The weights, keyed by dlc4j name, ready for {@link Params#load}. */
    public Map<String, HostTensor> params() {
        var out = new LinkedHashMap<String, HostTensor>();
        arrays.forEach((k, v) -> {
            if (k.startsWith("param.")) {
                out.put(k.substring("param.".length()), v);
            }
        });
        return out;
    }

    /** Loads every weight into {@code p}; every golden weight must be used, so a missing Java parameter fails too. */
    public void loadInto(Params p) {
        Map<String, HostTensor> weights = params();
        p.load(weights, "", path);
        for (String k : weights.keySet()) {
            assertTrue(p.all().containsKey(k) || p.buffers().containsKey(k), () -> name + ": golden weight " + k + " has no dlc4j parameter");
        }
    }

    public NDArray array(NDManager m, String key) {
        HostTensor t = get(key);
        return m.create(t.floats(), new Shape(t.shape()));
    }

    public float[] floats(String key) {
        return get(key).floats();
    }

    public int[] ints(String key) {
        return get(key).intValues();
    }

    public double scalar(String key) {
        HostTensor t = get(key);
        return t.isInteger() ? t.intValues()[0] : t.floats()[0];
    }

    /** Checks {@code actual} against {@code output.<key>}: same shape, values within {@link #OUTPUT_TOL}. */
    public void assertOutput(String key, NDArray actual) {
        assertClose("output." + key, actual, OUTPUT_TOL);
    }

    public void assertOutput(String key, NDArray actual, double tol) {
        assertClose("output." + key, actual, tol);
    }

    public void assertClose(String key, NDArray actual, double tol) {
        HostTensor want = get(key);
        assertArrayEquals(want.shape(), actual.getShape().getShape(), () -> name + " " + key + ": shape");
        assertClose(key, want.floats(), actual.toFloatArray(), tol);
    }

    public void assertClose(String key, float[] want, float[] got, double tol) {
        double scale = 0;
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            double d = Math.abs((double) got[i] - want[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        double relative = worst / Math.max(scale, 1e-30);
        observed.put(key, relative);
        double bound = tol * Math.max(scale, 1e-30);
        if (Boolean.getBoolean("parity.report")) { // -Dparity.report=true: each check's error, for parity/README.md
            System.out.printf(Locale.ROOT, "parity %s %s: max |Δ| / max|want| = %.2e%n", name, key, relative);
        }
        int where = at;
        double err = worst;
        double sc = scale;
        assertTrue(err <= bound, () -> String.format(Locale.ROOT, "%s %s: max |Δ| %.3g at %d (want %.6g, got %.6g) > %.0e × max|want| %.3g",
                name, key, err, where, want[Math.max(where, 0)], got[Math.max(where, 0)], tol, sc));
    }

    /**
     * As {@link #assertLossAndGradients}, for a module inside a larger one (e.g. the SEM head of an encoder fed fixed
     * tokens): checks the gradient of exactly the parameters the golden has gradients for, each of which must exist in
     * {@code p}; parameters the loss does not reach are not checked.
     */
    public void assertLossAndGoldenGradients(Params p, String lossKey, Supplier<NDArray> loss) {
        backward(p, lossKey, OUTPUT_TOL, loss);
        int checked = 0;
        for (String key : arrays.keySet()) {
            if (key.startsWith("grad.")) {
                String param = key.substring("grad.".length());
                assertTrue(p.all().containsKey(param), () -> name + ": golden gradient " + key + " has no dlc4j parameter");
                assertClose(key, p.get(param).getGradient(), GRAD_TOL);
                checked++;
            }
        }
        assertTrue(checked > 0, () -> name + " has no gradients");
    }

    /**
     * Runs {@code loss} under a gradient tape and checks the loss against {@code output.<lossKey>} and the gradient of
     * every parameter against {@code grad.<name>}; every golden gradient must have its parameter and vice versa.
     */
    public void assertLossAndGradients(Params p, String lossKey, Supplier<NDArray> loss) {
        assertLossAndGradients(p, lossKey, OUTPUT_TOL, "grad.", GRAD_TOL, loss);
    }

    /** As {@link #assertLossAndGradients(Params, String, Supplier)}, with the gradients under {@code gradPrefix}, and other tolerances. */
    public void assertLossAndGradients(Params p, String lossKey, double lossTol, String gradPrefix, double gradTol, Supplier<NDArray> loss) {
        backward(p, lossKey, lossTol, loss);
        int checked = 0;
        for (var e : p.all().entrySet()) {
            String key = gradPrefix + e.getKey();
            assertTrue(has(key), () -> name + ": no golden gradient for parameter " + e.getKey());
            assertClose(key, e.getValue().getGradient(), gradTol);
            checked++;
        }
        long golden = arrays.keySet().stream().filter(k -> k.startsWith(gradPrefix)).count();
        assertTrue(checked == golden, () -> name + ": " + golden + " golden gradients but " + p.all().size() + " parameters");
    }

    /** Runs {@code loss} under a fresh gradient tape, checks it against {@code output.<lossKey>}, and backpropagates it. */
    private void backward(Params p, String lossKey, double lossTol, Supplier<NDArray> loss) {
        for (NDArray a : p.all().values()) {
            a.setRequiresGradient(true);
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.zeroGradients(); // DJL adds each backward to the gradients until they are zeroed
            NDArray l = loss.get();
            assertOutput(lossKey, l.reshape(get("output." + lossKey).shape()), lossTol);
            gc.backward(l);
        }
    }
}
