package org.dlc4j.toy;

import org.dlc4j.util.Rng;

/**
 * The paper's toy distribution (Sec. 3): N equally weighted isotropic 2-D Gaussians whose centres lie on a
 * √N × √N grid with the given spacing, centred on the origin. Its density is known in closed form, which is
 * what makes KL(p_data ‖ p_θ) measurable.
 */
public record GridMixture(int modes, double spacing, double variance) {
    public GridMixture {
        int side = (int) Math.round(Math.sqrt(modes));
        if (side * side != modes) {
            throw org.dlc4j.util.InvalidInputException.of("modes", "modes " + modes + " is not a square number: the modes sit on a √N×√N grid (e.g. 9, 121, 400, 900)");
        }
    }

    public int side() {
        return (int) Math.round(Math.sqrt(modes));
    }

    /** Centre of mode k as {x, y}; modes are numbered row by row. */
    public double[] mean(int k) {
        int side = side();
        double offset = (side - 1) / 2.0;
        return new double[] {(k % side - offset) * spacing, (k / side - offset) * spacing};
    }

    /** Points drawn from the mixture, with the index of the component each came from. */
    public record Sample(float[] xy, int[] labels) {
        public int size() {
            return labels.length;
        }
    }

    public Sample sample(int n, Rng rng) {
        int[] labels = rng.ints(n, modes);
        return new Sample(sampleGiven(labels, rng), labels);
    }

    /** One point from each given component. */
    public float[] sampleGiven(int[] labels, Rng rng) {
        float[] xy = new float[labels.length * 2];
        float[] z = rng.gaussians(labels.length * 2);
        double sd = Math.sqrt(variance);
        for (int i = 0; i < labels.length; i++) {
            double[] m = mean(labels[i]);
            xy[2 * i] = (float) (m[0] + sd * z[2 * i]);
            xy[2 * i + 1] = (float) (m[1] + sd * z[2 * i + 1]);
        }
        return xy;
    }

    /** log p_data(x, y), exactly. */
    public double logDensity(double x, double y) {
        // Only modes within a few standard deviations matter; summing all keeps it exact and simple.
        double max = Double.NEGATIVE_INFINITY;
        double[] terms = new double[modes];
        for (int k = 0; k < modes; k++) {
            double[] m = mean(k);
            double d2 = (x - m[0]) * (x - m[0]) + (y - m[1]) * (y - m[1]);
            terms[k] = -d2 / (2 * variance);
            max = Math.max(max, terms[k]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum) - Math.log(modes) - Math.log(2 * Math.PI * variance);
    }

    /** Half-width of a square that holds essentially all the mass, for plots. */
    public double extent() {
        return (side() - 1) / 2.0 * spacing + 4 * Math.sqrt(variance);
    }
}
