package org.dlc4j.util;

/**
 * Input that does not make sense: a value out of range, a missing or foreign file, a data set of the wrong shape. When
 * one named input is at fault the message starts with its name ({@link #parameter()}), so that a front end can show its
 * own spelling of it instead.
 */
public class InvalidInputException extends DlcException {
    public InvalidInputException(String message) {
        super(null, message, null);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(null, message, cause);
    }

    /** A bad value of the input called {@code parameter}; {@code message} starts with that name. */
    public static InvalidInputException of(String parameter, String message) {
        return new InvalidInputException(parameter, message);
    }

    private InvalidInputException(String parameter, String message) {
        super(parameter, message, null);
    }
}
