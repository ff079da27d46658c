package org.dlc4j.util;

/**
 * A problem caused by the user's input (a missing file, a bad flag value, a checkpoint of the wrong kind).
 * The CLI prints only its message, on one line, and exits non-zero; the message must name the problem and the fix.
 */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
