package org.dlc4j.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The Java side of parity/hashed.py gives the very floats the script gives (values printed by its __main__). */
class HashedWeightsTest {
    @Test
    void matchesThePythonStreams() {
        assertArrayEquals(new float[] {0.041923243552446365f, 0.01020815409719944f, 0.0491836741566658f, -0.03738678619265556f,
                -0.013392454013228416f, -0.02794463559985161f}, HashedWeights.values("blocks.0.attn.qkv.weight", 6, 0.05, 0));
        assertArrayEquals(new float[] {0.4831048250198364f, 0.6864957809448242f, 0.1358051300048828f, 1.665086269378662f},
                HashedWeights.values("x", 4, 1.0, 1.0));
        float[] tail = new float[2];
        HashedWeights.fill("blocks.0.attn.qkv.weight", 0.05, 0, 4, tail);
        assertArrayEquals(new float[] {-0.013392454013228416f, -0.02794463559985161f}, tail);
    }
}
