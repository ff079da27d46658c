package org.dlc4j.util;

/** A file that cannot be found, read or written: the message names the file and what to check. */
public class DlcIoException extends DlcException {
    public DlcIoException(String message, Throwable cause) {
        super(null, message, cause);
    }
}
