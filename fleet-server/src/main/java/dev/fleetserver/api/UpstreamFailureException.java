package dev.fleetserver.api;

/**
 * A failure upstream answers with its generic 500 (agent-api §20, Quirk Q1): an unknown enroll type, a valid key
 * that is not an enrollment key, invalid {@code upgrade_details}. The status is part of the protocol (it must not
 * become a 401); the message is upstream's text and never holds a secret.
 */
public final class UpstreamFailureException extends RuntimeException {

    public UpstreamFailureException(String message) {
        super(message);
    }
}
