package org.dlc4j.server;

/**
 * A request the server answers with an error: the HTTP status, and the message and input ({@code parameter}, may be
 * null) the JSON error body names.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String parameter;
    final int retryAfterSeconds;

    ApiError(int status, String parameter, String message) {
        this(status, parameter, message, 0);
    }

    ApiError(int status, String parameter, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.parameter = parameter;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ApiError bad(String parameter, String message) {
        return new ApiError(400, parameter, message);
    }
}
