package org.dlc4j.util;

/**
 * Sampling ended early because its {@link Listener} asked it to ({@link Listener#stopRequested()}): a front end's time
 * limit or a cancelled request. Nothing is wrong with the input; the same call without the limit would finish.
 */
public final class StoppedException extends DlcException {
    public StoppedException(String task) {
        super(null, task + " stopped before it finished (a time limit or a cancel)", null);
    }
}
