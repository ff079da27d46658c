package org.dlc4j.util;

/**
 * A problem the caller can fix: input that does not make sense ({@link InvalidInputException}), models that do not fit
 * together ({@link ModelMismatchException}) or a file that cannot be read or written ({@link DlcIoException}). The
 * message names the problem and the fix in the library's own terms, never a command-line flag; a front end (the CLI,
 * the web app) maps {@link #parameter()} to its own spelling of the input that was wrong.
 */
public abstract class DlcException extends RuntimeException {
    private final String parameter;

    protected DlcException(String parameter, String message, Throwable cause) {
        super(message, cause);
        this.parameter = parameter;
    }

    /** The library-side name of the input at fault (e.g. "steps", "data"), or null when no single input is. */
    public String parameter() {
        return parameter;
    }
}
