import ai.djl.ndarray.*;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.dlc4j.nn.Layers;
import org.dlc4j.nn.Scalar;

/**
 * GELU forward and backward over a DiT-T/4 MLP activation (batch 128, 64 tokens, width 768): the tanh formula as eight
 * array operations (dlc4j before the change), Layers.geluTanh (its sigmoid form), and libtorch's exact erf GELU.
 * Run by bench/micro/run.sh.
 */
public class Gelu {
    static NDArray composite(NDArray x) {
        NDArray inner = Scalar.times(x.add(Scalar.times(Scalar.power(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
        return Scalar.times(x.mul(inner.tanh().add(1f)), 0.5);
    }

    public static void main(String[] a) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(128, 64, 768));
            x.setRequiresGradient(true);
            String[] names = {"composite tanh", "sigmoid form", "exact erf"};
            UnaryOperator<NDArray>[] fns = new UnaryOperator[] {(UnaryOperator<NDArray>) Gelu::composite, (UnaryOperator<NDArray>) Layers::geluTanh, (UnaryOperator<NDArray>) Activation::gelu};
            try (NDManager s = m.newSubManager()) {
                NDArray x2 = s.randomNormal(new Shape(1000)).mul(3);
                float[] r0 = composite(x2).toFloatArray(), r1 = Layers.geluTanh(x2).toFloatArray(), r2 = Activation.gelu(x2).toFloatArray();
                double d01 = 0, d02 = 0;
                for (int i = 0; i < r0.length; i++) { d01 = Math.max(d01, Math.abs(r0[i] - r1[i])); d02 = Math.max(d02, Math.abs(r0[i] - r2[i])); }
                System.out.printf("max |tanh - sigmoid form| %.2e, |tanh - erf| %.2e%n", d01, d02);
            }
            for (int r = 0; r < 3; r++) {
                StringBuilder sb = new StringBuilder();
                for (int k = 0; k < 3; k++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 5; i++) {
                        try (NDManager s = m.newSubManager()) {
                            NDArray xi = x.duplicate();
                            xi.attach(s);
                            xi.setRequiresGradient(true);
                            try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                            NDArray y = fns[k].apply(xi);
                            gc.backward(y.sum());
                            }
                        }
                    }
                    sb.append(String.format("%s %.1f ms  ", names[k], (System.nanoTime() - t0) / 5e6));
                }
                System.out.println(sb);
            }
        }
    }
}
