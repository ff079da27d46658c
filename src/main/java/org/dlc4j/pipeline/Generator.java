package org.dlc4j.pipeline;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.dlc4j.data.DlcFile;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.TrainedPrior;

/** A prior and a DLC-conditioned DiT, checked to speak the same codes: the two halves of unconditional generation. */
public record Generator(TrainedPrior prior, TrainedDit dit) implements AutoCloseable {
    /** Loads both and refuses a pair whose codes differ in L×V or encoder; the parameters name the inputs that gave the paths. */
    public static Generator load(NDManager manager, Path priorPath, String priorParameter, Path ditPath, String ditParameter) {
        TrainedPrior prior = CodeSampling.loadPrior(manager, priorPath, priorParameter);
        try {
            Sedd.Config pc = prior.model().config();
            return new Generator(prior, Compatibility.dlcDit(manager, ditPath, pc.length(), pc.vocab(), prior.encoderSha(), "the prior", ditParameter));
        } catch (RuntimeException e) {
            prior.close();
            throw e;
        }
    }

    /** n codes from the prior (seed), then one image per code from the DiT (seed + 1). */
    public Generated generate(NDManager manager, int n, PriorSampler.Config priorConfig, int priorBatch, DitSampling.Options options, long seed) {
        long start = System.nanoTime();
        DlcFile codes = CodeSampling.fromPrior(prior, n, priorConfig, priorBatch, seed);
        return Generated.decode(manager, dit, codes, (System.nanoTime() - start) / 1e9, options, seed);
    }

    @Override
    public void close() {
        prior.close();
        dit.close();
    }
}
