package dev.fleetserver.agent;

/** The {@code User-Agent} is missing or not an Elastic Agent's: 400 {@code InvalidUserAgent}. */
public final class InvalidUserAgentException extends RuntimeException {
    public InvalidUserAgentException() {
        super("user-agent is invalid");
    }
}
