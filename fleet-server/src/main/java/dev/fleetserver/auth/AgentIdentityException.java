package dev.fleetserver.auth;

/** The key does not belong to the agent in the path, or there is no such agent: 403 {@code ErrAgentIdentity}. */
public final class AgentIdentityException extends RuntimeException {
    public AgentIdentityException() {
        super("Agent header contains wrong identifier");
    }
}
