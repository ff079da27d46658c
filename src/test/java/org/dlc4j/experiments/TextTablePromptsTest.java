package org.dlc4j.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dlc4j.text.Captions;
import org.junit.jupiter.api.Test;

/** The held-out prompts of the text table and of the chain's report: every class alike in any contiguous slice. */
class TextTablePromptsTest {
    @Test
    void heldOutPromptsAlternateTheClassesSoThatEverySliceHoldsThemAll() {
        Captions captions = Captions.read(Captions.defaultPath());
        var prompts = TextTable.Prompts.heldOut(captions, 25);
        assertEquals(20, prompts.texts().size(), "n / classes per class");
        for (int k = 0; k < 20; k++) {
            int c = prompts.labels()[k];
            assertEquals(k % 10, c, "prompt " + k);
            String prompt = prompts.texts().get(k);
            assertTrue(Arrays.stream(captions.of(c, true)).mapToObj(captions.texts()::get).anyMatch(prompt::equals),
                    "prompt " + k + " is a held-out caption of its class");
        }
        assertNotEquals(prompts.texts().get(0), prompts.texts().get(10), "a class's second prompt is its next held-out caption");
    }
}
