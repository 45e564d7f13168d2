package dev.fleetserver.api;

import org.jspecify.annotations.Nullable;

/**
 * A request the server cannot accept: 400 {@code BadRequest} with upstream's message
 * {@code Bad request: <what>} or {@code Bad request: <what>: <cause>}.
 */
public final class BadRequestException extends RuntimeException {

    public BadRequestException(String what) {
        super("Bad request: " + what);
    }

    public BadRequestException(String what, @Nullable String cause) {
        super("Bad request: " + what + (cause == null || cause.isBlank() ? "" : ": " + cause));
    }
}
