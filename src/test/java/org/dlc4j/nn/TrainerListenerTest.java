package org.dlc4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.dlc4j.util.Listener;
import org.junit.jupiter.api.Test;

/** The library reports through the listener in force, never by printing; scopes nest and restore. */
class TrainerListenerTest {
    /** Records what it hears. */
    static final class Recording implements Listener {
        final List<String> lines = new ArrayList<>();
        final List<Long> steps = new ArrayList<>();
        final List<String> done = new ArrayList<>();

        @Override
        public void message(String line) {
            lines.add(line);
        }

        @Override
        public void progress(String task, long step, long total, String status) {
            steps.add(step);
            assertEquals(TrainerResumeTest.STEPS, total);
            assertTrue(status.startsWith("loss "), status);
        }

        @Override
        public void done(String task) {
            done.add(task);
        }
    }

    @Test
    void aTrainingRunTellsTheListenerInForceAndNothingElse() {
        Recording outer = new Recording();
        Recording inner = new Recording();
        assertSame(Listener.SILENT, Listener.current());
        try (NDManager m = NDManager.newBaseManager(); Listener.Scope a = Listener.using(outer)) {
            try (Listener.Scope b = Listener.using(inner)) {
                var model = TrainerResumeTest.newModel(m);
                try (Trainer trainer = new Trainer(model.params(), TrainerResumeTest.CONFIG, 5)) {
                    trainer.run(TrainerResumeTest.lossFor(model), null, null, "toy");
                }
            }
            assertSame(outer, Listener.current(), "the inner scope restores the outer listener");
        }
        assertSame(Listener.SILENT, Listener.current());
        assertEquals(TrainerResumeTest.STEPS, inner.steps.size(), "one progress call per step");
        assertEquals(List.of("toy"), inner.done);
        assertTrue(outer.steps.isEmpty() && outer.done.isEmpty(), "only the innermost listener hears");
    }
}
