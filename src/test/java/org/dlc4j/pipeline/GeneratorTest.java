package org.dlc4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.dlc4j.diffusion.discrete.PriorSampler;
import org.dlc4j.diffusion.gaussian.SamplerConfig;
import org.dlc4j.dit.DitSampling;
import org.junit.jupiter.api.Test;

/** A run drawn in blocks is the same run however it is split: what makes dlc spark generate equal dlc generate. */
class GeneratorTest {
    static final PriorSampler.Config PRIOR = PriorSampler.Config.of(PriorSampler.Predictor.ANALYTIC, 8, 0.01);
    static final DitSampling.Options DIT = new DitSampling.Options(SamplerConfig.ddpm(4), 1.0, Integer.MAX_VALUE, 2);

    @Test
    void aRunSplitIntoWholeBlocksIsTheRunDoneAtOnce() {
        ModelStore store = ModelStore.shipped();
        try (NDManager m = NDManager.newBaseManager();
             Generator g = Generator.load(m, store.prior(), "prior", store.dit(org.dlc4j.dit.Conditioning.DLC), "dit")) {
            Generated all = g.generate(m, 5, PRIOR, 2, DIT, 7);
            // Blocks of 2 in a run of 5: [0, 2), [2, 4), [4, 5), drawn out of order as partitions would.
            Generated last = g.generate(m, 5, 4, 1, PRIOR, 2, DIT, 7);
            Generated middle = g.generate(m, 5, 2, 2, PRIOR, 2, DIT, 7);
            Generated first = g.generate(m, 5, 0, 2, PRIOR, 2, DIT, 7);
            int per = all.images().length / 5;
            int l = all.codes().length();
            assertArrayEquals(Arrays.copyOfRange(all.images(), 0, 2 * per), first.images());
            assertArrayEquals(Arrays.copyOfRange(all.images(), 2 * per, 4 * per), middle.images());
            assertArrayEquals(Arrays.copyOfRange(all.images(), 4 * per, 5 * per), last.images());
            assertArrayEquals(Arrays.copyOfRange(all.codes().tokens(), 2 * l, 4 * l), middle.codes().tokens());
            assertFalse(Arrays.equals(first.images(), middle.images()), "blocks draw different images");
            assertThrows(IllegalArgumentException.class, () -> g.generate(m, 5, 1, 2, PRIOR, 2, DIT, 7), "not a whole block");
            assertThrows(IllegalArgumentException.class, () -> g.generate(m, 5, 4, 2, PRIOR, 2, DIT, 7), "past the run's end");
        }
    }
}
