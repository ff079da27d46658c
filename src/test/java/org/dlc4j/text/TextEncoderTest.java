package org.dlc4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dlc4j.util.InvalidInputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TextEncoderTest {
    private static final int D = TextEncoder.DIM;
    private static TextEncoder encoder;

    @BeforeAll
    static void load() {
        long t0 = System.nanoTime();
        encoder = TextEncoder.load();
        System.out.printf("TextEncoder.load(): %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void statesArePaddedToTheLongestCaptionAndTheMaskMarksRealTokens() {
        assertEquals(384, encoder.dim());
        assertEquals(32, encoder.maxTokens());
        // Wordpieces with [CLS] and [SEP]: 5 and 8 ("sneak ##er"), and 11 ("hand ##bag").
        List<String> captions = List.of("a sneaker", "a photo of a sneaker", "a black leather handbag with a gold buckle");
        TextEncoder.Encoded e = encoder.encode(captions);
        assertEquals(3, e.count());
        int[] lengths = {5, 8, 11};
        assertEquals(11, e.tokens());
        assertEquals(3 * 11 * D, e.states().length);
        assertEquals(3 * 11, e.mask().length);
        for (int i = 0; i < 3; i++) {
            assertEquals(lengths[i], e.length(i));
            for (int t = 0; t < e.tokens(); t++) {
                boolean real = t < lengths[i];
                assertEquals(real, e.mask()[i * e.tokens() + t], "mask of caption " + i + " token " + t);
                double norm = 0;
                for (int d = 0; d < D; d++) {
                    float v = e.states()[(i * e.tokens() + t) * D + d];
                    assertTrue(Float.isFinite(v));
                    norm += v * v;
                }
                if (real) {
                    assertTrue(norm > 1, "a real token's state is not zero");
                } else {
                    assertEquals(0.0, norm, "padding is zero");
                }
            }
        }
        assertEquals(3 * D, e.pooled().length);
        TextEncoder.Encoded none = encoder.encode(List.of());
        assertEquals(0, none.count());
        assertEquals(0, none.states().length);
    }

    @Test
    void aTextGetsTheSameStatesTwiceAndWhereverItSitsInABatch() {
        String text = "a photo of a sneaker";
        TextEncoder.Encoded alone = encoder.encode(List.of(text));
        assertArrayEquals(alone.states(), encoder.encode(List.of(text)).states(), "deterministic");
        int n = alone.tokens();
        // Last of a batch whose longest caption pads it with 10 positions, and first before a longer one.
        for (List<String> batch : List.of(
                List.of("a black leather handbag with a gold buckle and a long strap", "a dress", text),
                List.of(text, "running shoes on a white background, seen from the side"))) {
            TextEncoder.Encoded e = encoder.encode(batch);
            int i = batch.indexOf(text);
            assertTrue(e.tokens() > n, "the batch pads the text");
            assertEquals(n, e.length(i));
            float[] mine = Arrays.copyOfRange(e.states(), i * e.tokens() * D, (i * e.tokens() + n) * D);
            assertArrayEquals(alone.states(), mine, 1e-4f, "padding and neighbours leave the text's states alone");
        }
    }

    @Test
    void meanPooledStatesAreLangchain4jsOwnEmbedding() {
        String sentence = "A pair of white running shoes with red laces.";
        float[] theirs = new AllMiniLmL6V2QuantizedEmbeddingModel().embed(sentence).content().vector();
        float[] ours = encoder.encode(List.of(sentence)).pooled();
        assertEquals(D, theirs.length);
        double cos = cosine(ours, 0, theirs, 0);
        double maxDiff = 0;
        for (int d = 0; d < D; d++) {
            maxDiff = Math.max(maxDiff, Math.abs(ours[d] - theirs[d]));
        }
        System.out.printf("pooled vs langchain4j: cosine %.7f, max |diff| %.2e%n", cos, maxDiff);
        assertTrue(cos > 0.999, "cosine " + cos);
    }

    @Test
    void closeCaptionsAreCloserThanFarOnes() {
        float[] p = encoder.encode(List.of("a photo of a sneaker", "running shoes", "a handbag")).pooled();
        double near = cosine(p, 0, p, D);
        double far = cosine(p, 0, p, 2 * D);
        System.out.printf("cosine sneaker~running shoes %.3f, sneaker~handbag %.3f%n", near, far);
        assertTrue(near > far, near + " <= " + far);
    }

    @Test
    void emptyAndOverlongPromptsAreUserErrors() {
        assertUserError(() -> encoder.encode(List.of("")), "the prompt is empty: pass some text");
        assertUserError(() -> encoder.encode(List.of("   \t\n")), "the prompt is empty: pass some text");
        assertUserError(() -> encoder.encode(List.of("a dress", " ", "a shirt")), "prompt 2 of 3 is empty", "pass some text");
        assertUserError(() -> encoder.encode(List.of("\u0000\u0001")), "empty", "pass some text");
        String words = String.join(" ", java.util.Collections.nCopies(35, "shoe"));
        assertUserError(() -> encoder.encode(List.of(words)), "has 37 wordpieces", "at most 32", "shorten it");
        String fits = String.join(" ", java.util.Collections.nCopies(30, "shoe"));
        assertEquals(32, encoder.encode(List.of(fits)).tokens(), "exactly the cap is allowed");
    }

    @Test
    void theModelIsPinnedByItsHashAndTheThreadCountIsChecked() {
        assertEquals("afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1", encoder.sha256());
        String old = System.getProperty(TextEncoder.THREADS_PROPERTY);
        try {
            System.setProperty(TextEncoder.THREADS_PROPERTY, "zero");
            assertUserError(TextEncoder::load, "-Ddlc4j.onnx.threads=zero", "at least 1");
        } finally {
            if (old == null) {
                System.clearProperty(TextEncoder.THREADS_PROPERTY);
            } else {
                System.setProperty(TextEncoder.THREADS_PROPERTY, old);
            }
        }
    }

    @Test
    void encodingAHundredCaptionsIsQuick() {
        String[] kinds = {"sneaker", "running shoes", "handbag", "dress", "shirt", "trousers", "ankle boot", "sandal", "coat",
            "pullover"};
        String[] looks = {"a photo of a", "a black", "a white leather", "a small striped", "a worn-out"};
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            captions.add(looks[i % looks.length] + " " + kinds[(i * 7) % kinds.length]);
        }
        encoder.encode(captions.subList(0, 5)); // warm-up
        long t0 = System.nanoTime();
        TextEncoder.Encoded e = encoder.encode(captions);
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.printf("encode(100 captions, %d tokens padded): %.0f ms%n", e.tokens(), ms);
        assertEquals(100, e.count());
    }

    private static double cosine(float[] a, int ai, float[] b, int bi) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int d = 0; d < D; d++) {
            dot += a[ai + d] * b[bi + d];
            na += a[ai + d] * a[ai + d];
            nb += b[bi + d] * b[bi + d];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static void assertUserError(Executable action, String... fragments) {
        String message = assertThrows(InvalidInputException.class, action).getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "not one line: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "\"" + fragment + "\" missing from: " + message);
        }
    }
}
