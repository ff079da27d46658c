package org.dlc4j.data;

/** Helpers for {@link org.dlc4j.util.InvalidInputException} messages, which the CLI prints on one line. */
final class Errors {
    private Errors() {}

    /** An exception's message (which may span lines, or be null) flattened to one line. */
    static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s+", " ").strip();
    }
}
