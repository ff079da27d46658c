package org.dlc4j.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch records autograd graphs per thread, and records by default; DJL turns that off only on the thread that
 * loaded the engine. On any other thread (a server's workers, a caller's own pool, a test run after one that loaded the
 * engine elsewhere) inference would build a graph for every operation, and an in-place update of a weight (the EMA, a
 * loaded checkpoint) would be refused ("a leaf Variable that requires grad is being used in an in-place operation").
 * Entry points call {@link #off()} first; training turns recording on only inside its gradient collector.
 */
public final class GradMode {
    private GradMode() {}

    /** Stops autograd recording on the calling thread (cheap; idempotent). */
    public static void off() {
        Engine.getInstance(); // loads libtorch first if no one has yet
        JniUtils.setGradMode(false);
    }
}
