package dev.fleetserver.limits;

/** A request body, or its decompressed form, is larger than the route allows; Go's message. */
public final class RequestBodyTooLargeException extends RuntimeException {

    public static final String MESSAGE = "http: request body too large";

    public RequestBodyTooLargeException() {
        super(MESSAGE);
    }
}
