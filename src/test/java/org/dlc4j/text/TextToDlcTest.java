package org.dlc4j.text;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.dlc4j.diffusion.discrete.MaskedDiffusion;
import org.dlc4j.diffusion.discrete.Unmasking;
import org.dlc4j.nn.Params;
import org.dlc4j.util.InvalidInputException;
import org.dlc4j.util.Rng;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.dlc4j.nn.Params;
import org.dlc4j.util.Rng;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;

/** The masked-diffusion objective, the unmasking sampler and the model's handling of captions. */
class TextToDlcTest {

    @Test
    void maskingFollowsTheRateAndWeighsMaskedPositionsByItsInverse() {
        assertEquals(MaskedDiffusion.EPS, MaskedDiffusion.maskRate(0), 1e-12);
        assertEquals(1.0, MaskedDiffusion.maskRate(1), 1e-12);
        int l = 16;
        int b = 2000;
        double[] p = new double[b];
        for (int i = 0; i < b; i++) {
            p[i] = i % 2 == 0 ? 0.25 : 0.8;
        }
        int[] clean = new Rng(1).ints(b * l, 5);
        int[] noisy = new int[clean.length];
        float[] w = MaskedDiffusion.corrupt(clean, l, 5, p, noisy, new Rng(2));
        double[] masked = new double[2];
        double[] weight = new double[2];
        for (int j = 0; j < clean.length; j++) {
            int kind = (j / l) % 2;
            if (noisy[j] == 5) {
                masked[kind]++;
                assertEquals(1 / p[j / l], w[j], 1e-6, "a masked position weighs 1/p");
            } else {
                assertEquals(clean[j], noisy[j]);
                assertEquals(0, w[j], "an unmasked position carries no loss");
            }
            weight[kind] += w[j];
        }
        int per = b / 2 * l;
        assertEquals(0.25, masked[0] / per, 0.02);
        assertEquals(0.8, masked[1] / per, 0.02);
        // E[w] = 1 per position at any rate: the weighted loss is an unbiased sum over all positions.
        assertEquals(1.0, weight[0] / per, 0.05);
        assertEquals(1.0, weight[1] / per, 0.05);
    }

    @Test
    void theLossIsTheWeightedCrossEntropyAveragedOverPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            // One code of L = 2 over V = 3; position 0 masked at p = 0.5 (weight 2), position 1 not.
            float[] logits = {1, 2, 3, 0, 0, 0};
            var loss = MaskedDiffusion.loss(m, m.create(logits, new Shape(1, 2, 3)), new int[] {0, 1}, new float[] {2, 0}, 2);
            double ce0 = -Math.log(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
            assertEquals(2 * ce0 / 2, loss.getFloat(0), 1e-5);
        }
    }

    @Test
    void theScheduleSpreadsLPositionsOverTheSteps() {
        assertArrayEquals(new int[] {4, 4, 3, 3, 3, 3, 3, 3, 3, 3}, Unmasking.schedule(32, 10));
        assertArrayEquals(new int[] {1, 1, 1}, Unmasking.schedule(3, 3));
        assertTrue(assertThrows(InvalidInputException.class, () -> Unmasking.schedule(32, 33)).getMessage().contains("at most 32"));
        assertThrows(InvalidInputException.class, () -> new Unmasking.Config(0, Unmasking.Remasking.RANDOM, 1, 1));
        assertThrows(InvalidInputException.class, () -> new Unmasking.Config(4, Unmasking.Remasking.RANDOM, -1, 1));
        assertThrows(InvalidInputException.class, () -> new Unmasking.Config(4, Unmasking.Remasking.RANDOM, 1, -2));
        assertThrows(InvalidInputException.class, () -> Unmasking.Remasking.parse("lowest"));
    }

    @Test
    void theSamplerUnmasksExactlyLPositionsAndCommitsTheMostConfidentFirst() {
        int l = 6;
        int v = 4;
        int count = 3;
        List<Integer> maskedPerCall = new ArrayList<>();
        // Position q is most confident about token q % V, and more confident the higher q is.
        Unmasking.LogitsFn fn = (tokens, withNull) -> {
            maskedPerCall.add((int) java.util.Arrays.stream(tokens).filter(t -> t == v).count());
            float[] out = new float[tokens.length * v];
            for (int j = 0; j < tokens.length; j++) {
                out[j * v + (j % l) % v] = 1 + (j % l);
            }
            return out;
        };
        for (var remasking : Unmasking.Remasking.values()) {
            maskedPerCall.clear();
            int[] codes = Unmasking.sample(fn, count, l, v, new Unmasking.Config(4, remasking, 0, 1), new Rng(3));
            assertEquals(List.of(18, 12, 6, 3), maskedPerCall, "6 positions × 3 codes, committed 2, 2, 1, 1 per step");
            for (int j = 0; j < codes.length; j++) {
                assertEquals((j % l) % v, codes[j], "argmax at temperature 0");
            }
        }
        // Low confidence commits the most confident positions first: after step 1 (2 commits) positions 4 and 5.
        int[] seen = new int[l];
        Unmasking.LogitsFn spy = (tokens, withNull) -> {
            if (java.util.Arrays.stream(tokens).filter(t -> t == v).count() == l - 2) {
                for (int q = 0; q < l; q++) {
                    seen[q] = tokens[q];
                }
            }
            return fn.logits(tokens, withNull);
        };
        Unmasking.sample(spy, 1, l, v, new Unmasking.Config(4, Unmasking.Remasking.LOW_CONFIDENCE, 0, 1), new Rng(3));
        assertArrayEquals(new int[] {v, v, v, v, 0, 1}, seen);
    }

    @Test
    void guidanceCombinesTheConditionalAndNullLogitsOfOneDoubledBatch() {
        int l = 2;
        int v = 3;
        // Conditional logits prefer token 0, null ones token 2: scale 0 gives the null argmax, scale 3 the conditional one.
        Unmasking.LogitsFn fn = (tokens, withNull) -> {
            int n = tokens.length;
            float[] out = new float[(withNull ? 2 : 1) * n * v];
            for (int j = 0; j < n; j++) {
                out[j * v] = 1;
                if (withNull) {
                    out[(n + j) * v + 2] = 1;
                }
            }
            return out;
        };
        assertArrayEquals(new int[] {2, 2}, Unmasking.sample(fn, 1, l, v, new Unmasking.Config(2, Unmasking.Remasking.RANDOM, 0, 0), new Rng(1)));
        assertArrayEquals(new int[] {0, 0}, Unmasking.sample(fn, 1, l, v, new Unmasking.Config(2, Unmasking.Remasking.RANDOM, 0, 3), new Rng(1)));
    }

    @Test
    void paddingAndDroppedCaptionsAreHiddenFromTheModel() {
        try (NDManager m = NDManager.newBaseManager(); Params p = new Params(m)) {
            var config = TextToDlc.Config.preset("tiny", 4, 8);
            TextToDlc model = new TextToDlc(p, config, new Rng(5));
            p.all().values().forEach(a -> a.set(new Rng(6).gaussians((int) a.size()))); // leave the zero-initialised head no chance to hide a bug
            int d = config.textDim();
            float[] states = new Rng(7).gaussians(3 * d);
            int[] code = {0, 8, 3, 8};
            // The same 3-token caption alone, and padded to 5 tokens with garbage behind the mask.
            var alone = new TextEncoder.Encoded(1, 3, states, new boolean[] {true, true, true});
            float[] padded = java.util.Arrays.copyOf(states, 5 * d);
            System.arraycopy(new Rng(8).gaussians(2 * d), 0, padded, 3 * d, 2 * d);
            var longer = new TextEncoder.Encoded(1, 5, padded, new boolean[] {true, true, true, false, false});
            float[] a = model.forward(m, code, alone, null).toFloatArray();
            float[] b = model.forward(m, code, longer, null).toFloatArray();
            assertEquals(4 * 8, a.length, "logits [1, L, V]");
            assertArrayEquals(a, b, 1e-4f);
            // A dropped caption (no real token) reads the same whatever states it holds.
            var dropped1 = new TextEncoder.Encoded(1, 3, states, new boolean[3]);
            var dropped2 = new TextEncoder.Encoded(1, 3, new Rng(9).gaussians(3 * d), new boolean[3]);
            float[] c1 = model.forward(m, code, dropped1, null).toFloatArray();
            assertArrayEquals(c1, model.forward(m, code, dropped2, null).toFloatArray(), 1e-4f);
            assertTrue(maxDiff(a, c1) > 1e-3, "the caption changes the prediction");
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
