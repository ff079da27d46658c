package org.dlc4j.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dlc4j.util.DlcException;
import org.junit.jupiter.api.function.Executable;

/** Asserts that an action fails with a one-line {@link DlcException} mentioning each fragment. */
final class UserErrors {
    private UserErrors() {}

    static String assertUserError(Executable action, String... fragments) {
        String message = assertThrows(DlcException.class, action).getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "not one line: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "\"" + fragment + "\" missing from: " + message);
        }
        return message;
    }
}
