package dev.fleetserver.auth;

/** No agent has the presented key (routes without an agent id): 404 {@code AgentNotFound}. */
public final class AgentNotFoundException extends RuntimeException {
    public AgentNotFoundException() {
        super("agent could not be found");
    }
}
