import ai.djl.ndarray.*;
import ai.djl.ndarray.types.Shape;

/** GFLOP/s of a 1024² float32 matmul timed three ways: copying the product to the Java heap, reading one element, no wait. */
public class Mm {
    public static void main(String[] x) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(1024, 1024)), b = m.randomNormal(new Shape(1024, 1024));
            for (int r = 0; r < 3; r++) {
                double[] t = new double[3];
                for (int k = 0; k < 3; k++) {
                    int reps = 20;
                    long s = System.nanoTime();
                    for (int i = 0; i < reps; i++) {
                        try (NDArray c = a.matMul(b)) {
                            if (k == 0) c.toFloatArray();
                            else if (k == 1) { try (NDArray e = c.get(0, 0)) { e.getFloat(); } }
                        }
                    }
                    t[k] = 2.0 * Math.pow(1024, 3) * reps / ((System.nanoTime() - s) / 1e9) / 1e9;
                }
                System.out.printf("GFLOP/s: whole copy %.1f, one element %.1f, no sync %.1f%n", t[0], t[1], t[2]);
            }
        }
    }
}
