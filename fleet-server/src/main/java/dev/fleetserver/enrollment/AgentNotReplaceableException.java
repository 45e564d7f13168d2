package dev.fleetserver.enrollment;

/** An active agent with the requested id may not be replaced: 403 {@code AgentNotReplaceable}. */
public final class AgentNotReplaceableException extends RuntimeException {
    public AgentNotReplaceableException() {
        super("existing agent cannot be replaced");
    }
}
