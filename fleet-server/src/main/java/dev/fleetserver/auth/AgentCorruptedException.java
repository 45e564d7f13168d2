package dev.fleetserver.auth;

/** The agent document lacks its {@code agent} object: 400 {@code ErrAgentCorrupted}. */
public final class AgentCorruptedException extends RuntimeException {
    public AgentCorruptedException() {
        super("Agent record corrupted");
    }
}
