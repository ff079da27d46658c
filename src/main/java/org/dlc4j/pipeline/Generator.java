package org.dlc4j.pipeline;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.dlc4j.data.DlcFile;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.dit.Condition;
import org.dlc4j.dit.DitSampling;
import org.dlc4j.dit.TrainedDit;
import org.dlc4j.prior.Sedd;
import org.dlc4j.prior.TrainedPrior;
import org.dlc4j.util.Rng;

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

    /** {@code n} new images: all blocks of a run of {@code n} ({@link #generate(NDManager, long, long, int, PriorSampler.Config, int, DitSampling.Options, long)}). */
    public Generated generate(NDManager manager, int n, PriorSampler.Config priorConfig, int priorBatch, DitSampling.Options options, long seed) {
        return generate(manager, n, 0, n, priorConfig, priorBatch, options, seed);
    }

    /**
     * Images {@code first … first + count − 1} of a run of {@code total} new images. A run is drawn in blocks of
     * {@code options.batch()} (the DiT's batch): block k holds images kB … min((k+1)B, total) − 1, takes its codes from
     * the prior with a seed derived from (seed, 2k) and its images from the DiT with one derived from (seed, 2k + 1). So
     * a block's images depend on (seed, k, B, total) alone, not on which machine, partition or resumed run draws it: the
     * ranges of a split run (whole blocks) put together are bit for bit the run done at once, on the same machine.
     *
     * @param first a multiple of the block size; {@code first + count} is one too, or {@code total}
     */
    public Generated generate(NDManager manager, long total, long first, int count, PriorSampler.Config priorConfig, int priorBatch,
                              DitSampling.Options options, long seed) {
        int block = options.batch();
        long end = first + count;
        if (first < 0 || count < 1 || end > total || first % block != 0 || (end % block != 0 && end != total)) {
            throw new IllegalArgumentException("images " + first + "…" + (end - 1) + " are not whole blocks of " + block + " in a run of " + total);
        }
        Sedd.Config pc = prior.model().config();
        int l = pc.length();
        int[] tokens = new int[count * l];
        int per = dit.output().channels() * dit.output().image() * dit.output().image();
        float[] images = new float[count * per];
        double codeSeconds = 0;
        double ditSeconds = 0;
        for (long start = first; start < end; start += block) {
            long k = start / block;
            int n = (int) Math.min(block, end - start);
            int at = (int) (start - first);
            long t0 = System.nanoTime();
            System.arraycopy(prior.sample(n, priorConfig, priorBatch, Rng.forIndex(seed, 2 * k)), 0, tokens, at * l, n * l);
            long t1 = System.nanoTime();
            var condition = Condition.codes(java.util.Arrays.copyOfRange(tokens, at * l, (at + n) * l), l);
            System.arraycopy(dit.sample(manager, condition, options, Rng.forIndex(seed, 2 * k + 1)), 0, images, at * per, n * per);
            codeSeconds += (t1 - t0) / 1e9;
            ditSeconds += (System.nanoTime() - t1) / 1e9;
        }
        DlcFile codes = new DlcFile(tokens, l, pc.vocab(), null, null, 1.0, prior.encoderSha(), "prior " + prior.sha256().substring(0, 12));
        return new Generated(codes, Conditioned.ofCodes(dit, codes, count), images, codeSeconds, ditSeconds);
    }

    @Override
    public void close() {
        prior.close();
        dit.close();
    }
}
