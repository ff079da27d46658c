package org.dlc4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {
    private static List<int[]> draw(BatchSampler sampler, int batches) {
        var out = new ArrayList<int[]>();
        for (int i = 0; i < batches; i++) {
            out.add(sampler.next());
        }
        return out;
    }

    private static void assertSameBatches(List<int[]> expected, List<int[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "batch " + i);
        }
    }

    @Test
    void sameSeedSameBatchesDifferentSeedDifferentBatches() {
        var a = draw(new BatchSampler(100, 8, false, 42), 30);
        assertSameBatches(a, draw(new BatchSampler(100, 8, false, 42), 30));
        var b = draw(new BatchSampler(100, 8, false, 43), 30);
        assertFalse(Arrays.equals(a.get(0), b.get(0)));
    }

    @Test
    void everyIndexOncePerEpochAndEpochsDiffer() {
        var sampler = new BatchSampler(10, 4, false, 0);
        assertEquals(3, sampler.batchesPerEpoch());
        int[][] epochs = new int[2][];
        for (int e = 0; e < 2; e++) {
            assertEquals(e, sampler.epoch());
            var batches = draw(sampler, 3);
            assertEquals(List.of(4, 4, 2), batches.stream().map(batch -> batch.length).toList());
            epochs[e] = batches.stream().flatMapToInt(Arrays::stream).toArray();
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Arrays.stream(epochs[e]).sorted().toArray());
        }
        assertFalse(Arrays.equals(epochs[0], epochs[1]));
        assertEquals(2, sampler.epoch());
        assertEquals(6, sampler.batchesServed());
    }

    @Test
    void resumeContinuesExactlyAcrossEpochBoundaries() {
        var straight = draw(new BatchSampler(10, 3, false, 7), 13); // 4 batches per epoch: spans 4 epochs
        for (int k : new int[] {0, 3, 4, 5, 9}) {
            var resumed = BatchSampler.resumeAt(10, 3, false, 7, k);
            assertEquals(k, resumed.batchesServed());
            assertEquals(k / 4, resumed.epoch());
            assertSameBatches(straight.subList(k, 13), draw(resumed, 13 - k));
        }
    }

    @Test
    void dropLastSkipsTheIncompleteBatch() {
        var sampler = new BatchSampler(10, 4, true, 1);
        assertEquals(2, sampler.batchesPerEpoch());
        var batches = draw(sampler, 4);
        batches.forEach(batch -> assertEquals(4, batch.length));
        assertEquals(2, sampler.epoch());
        assertThrows(InvalidInputException.class, () -> new BatchSampler(3, 4, true, 1));
        assertEquals(3, new BatchSampler(3, 4, false, 1).next().length);
    }
}
