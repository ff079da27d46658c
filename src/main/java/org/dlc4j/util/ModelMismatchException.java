package org.dlc4j.util;

/**
 * Models or data that do not fit together: codes of another L×V than a model reads, codes of another encoder than the
 * one it was trained on, a checkpoint of another kind or configuration than the run that resumes it.
 */
public class ModelMismatchException extends DlcException {
    public ModelMismatchException(String message) {
        super(null, message, null);
    }
}
