package org.dlc4j.pipeline;

import ai.djl.ndarray.NDManager;
import org.dlc4j.data.DlcFile;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.util.Rng;

/**
 * Codes (from the prior or the text model), the conditions they make, and the images [N, C, S, S] the DiT drew from
 * them, with the time each stage took.
 */
public record Generated(DlcFile codes, Conditioned conditioned, float[] images, double codeSeconds, double ditSeconds) {
    /** One image per code from the DiT, with seed + 1 (the codes were drawn with seed). */
    public static Generated decode(NDManager manager, TrainedDit dit, DlcFile codes, double codeSeconds, DitSampling.Options options, long seed) {
        var conditioned = Conditioned.ofCodes(dit, codes, codes.count());
        long start = System.nanoTime();
        float[] images = dit.sample(manager, conditioned.condition(), options, new Rng(seed + 1));
        return new Generated(codes, conditioned, images, codeSeconds, (System.nanoTime() - start) / 1e9);
    }
}
