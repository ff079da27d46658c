package org.dlc4j.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
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

    @Test
    void picturePromptsTakeTheClassesInTurnAndKeepEachCaptionWithItsPicture() {
        // Pictures in class order, as a folder lists them: three of class 0, then two of class 1, then one of class 2.
        List<String> captions = List.of("a0", "b0", "c0", "a1", "b1", "a2");
        int[] labels = {0, 0, 0, 1, 1, 2};
        var prompts = TextTable.Prompts.ofPictures(captions, labels, 8);
        assertEquals(List.of("a0", "a1", "a2", "b0", "b1", "c0", "a0", "a1"), prompts.texts());
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 0, 0, 1}, prompts.labels());
        var unlabelled = TextTable.Prompts.ofPictures(captions, null, 7);
        assertEquals(List.of("a0", "b0", "c0", "a1", "b1", "a2", "a0"), unlabelled.texts(), "without labels, the pictures' order");
        assertNull(unlabelled.labels());
    }
}
