package org.dlc4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.dlc4j.diffusion.discrete.PriorSampler;

/**
 * Their sample_categorical on dlc4j's weights: argmax_j w_j / (1e-10 − log(u_j + 1e-10)) with the uniforms it drew
 * (an exponential race, the same law as dlc4j's inverse-CDF draw but another use of the random numbers); keeps the
 * weights it was handed for comparison with the reference's.
 */
final class Replay implements PriorSampler.Draw {
    final float[] u;
    final float[] weights;
    final int k;

    Replay(float[] u, int positions, int k) {
        this.u = u;
        this.weights = new float[positions * k];
        this.k = k;
    }

    @Override
    public int draw(int position, double[] w, int allowed) {
        assertEquals(k, allowed, "states allowed");
        int best = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            weights[position * k + j] = (float) w[j];
            double v = w[j] / (1e-10 - Math.log(u[position * k + j] + 1e-10));
            if (v > top) {
                top = v;
                best = j;
            }
        }
        return best;
    }
}
