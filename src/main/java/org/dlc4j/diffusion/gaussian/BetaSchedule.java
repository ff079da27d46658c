package org.dlc4j.diffusion.gaussian;

/** Noise schedules β₁..β_T. */
public enum BetaSchedule {
    /** DDPM/DiT: β linear from 1e-4 to 0.02, scaled for T ≠ 1000 as in improved DDPM. */
    LINEAR,
    /** Improved DDPM: ᾱ(t) = cos²((t/T + s)/(1 + s)·π/2), s = 0.008, β clipped at 0.999. */
    COSINE;

    public double[] betas(int steps) {
        double[] b = new double[steps];
        switch (this) {
            case LINEAR -> {
                double scale = 1000.0 / steps;
                double lo = scale * 1e-4;
                double hi = scale * 0.02;
                for (int i = 0; i < steps; i++) {
                    b[i] = steps == 1 ? lo : lo + (hi - lo) * i / (steps - 1);
                }
            }
            case COSINE -> {
                for (int i = 0; i < steps; i++) {
                    b[i] = Math.min(1 - alphaBar((i + 1.0) / steps) / alphaBar((double) i / steps), 0.999);
                }
            }
        }
        return b;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    public static BetaSchedule parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "linear" -> LINEAR;
            case "cosine" -> COSINE;
            default -> throw new org.dlc4j.util.InvalidInputException("unknown noise schedule '" + s + "': use linear or cosine");
        };
    }
}
