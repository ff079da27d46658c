package org.dlc4j.util;

/**
 * Where the library reports on long work: a training loop's progress and the occasional line worth telling (a run
 * resumed, a held-out score, a skipped step). The library never prints; a front end installs a listener for the work it
 * starts ({@link #using}) and shows what it hears (the CLI draws a progress bar on stderr). The default is silence.
 */
public interface Listener {
    /** Hears nothing. */
    Listener SILENT = line -> { };

    /** A line for the user, e.g. "resumed at step 1200 from out/dit/train.safetensors". */
    void message(String line);

    /** A long loop called {@code task} has done {@code step} of {@code total} steps; {@code status} is e.g. "loss 0.0312". */
    default void progress(String task, long step, long total, String status) {
    }

    /**
     * Asked after every step of a long loop: true ends it now as if it had reached its planned length (a training run
     * then writes its model; a sampler, which has nothing whole to return, throws {@link StoppedException}). A budget
     * of wall time or of images seen, or a cancel button, answers here.
     */
    default boolean stopRequested() {
        return false;
    }

    /** True if this listener wants {@link #preview}s, which cost a copy of the images at every step. */
    default boolean wantsPreviews() {
        return false;
    }

    /**
     * The images a sampler holds after {@code step} of {@code total} steps (noisy until the last): {@code count} images of
     * {@code size}×{@code size} grey pixels in [−1, 1], row-major; called only when {@link #wantsPreviews()}.
     */
    default void preview(String task, long step, long total, float[] images, int count, int size) {
    }

    /** The loop called {@code task} has ended (a progress bar may close its line). */
    default void done(String task) {
    }

    /** The listener of the work running on this thread: the innermost {@link #using} in force, else {@link #SILENT}. */
    static Listener current() {
        return ListenerScope.CURRENT.get();
    }

    /** Makes {@code listener} hear this thread's work until the returned scope is closed (try-with-resources). */
    static Scope using(Listener listener) {
        Listener previous = ListenerScope.CURRENT.get();
        ListenerScope.CURRENT.set(listener == null ? SILENT : listener);
        return () -> ListenerScope.CURRENT.set(previous);
    }

    /** Restores the listener that was in force before {@link #using}. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
