package org.dlc4j.text;

import java.util.List;

/**
 * Captions encoded once by the frozen text encoder, so that training draws batches of states without running it: the
 * states of caption k are [length(k), 384].
 */
public final class CaptionBank {
    private final float[][] states;
    private final int dim;

    private CaptionBank(float[][] states, int dim) {
        this.states = states;
        this.dim = dim;
    }

    public static CaptionBank encode(TextEncoder encoder, List<String> texts) {
        TextEncoder.Encoded e = encoder.encode(texts);
        float[][] states = new float[e.count()][];
        int d = encoder.dim();
        for (int i = 0; i < e.count(); i++) {
            int n = e.length(i);
            states[i] = java.util.Arrays.copyOfRange(e.states(), i * e.tokens() * d, (i * e.tokens() + n) * d);
        }
        return new CaptionBank(states, d);
    }

    public int count() {
        return states.length;
    }

    /**
     * The captions {@code ids} as one padded batch; a caption with {@code dropped[i]} set comes out with no real token
     * (the model then sees only its START token: the null caption of guidance). {@code dropped} may be null.
     */
    public TextEncoder.Encoded batch(int[] ids, boolean[] dropped) {
        int b = ids.length;
        int t = 1;
        for (int id : ids) {
            t = Math.max(t, states[id].length / dim);
        }
        float[] out = new float[b * t * dim];
        boolean[] mask = new boolean[b * t];
        for (int i = 0; i < b; i++) {
            if (dropped != null && dropped[i]) {
                continue;
            }
            float[] s = states[ids[i]];
            System.arraycopy(s, 0, out, i * t * dim, s.length);
            java.util.Arrays.fill(mask, i * t, i * t + s.length / dim, true);
        }
        return new TextEncoder.Encoded(b, t, out, mask);
    }
}
