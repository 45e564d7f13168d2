package dev.fleetserver.auth;

import dev.fleetserver.agent.Agent;

/** The agent was unenrolled: 401 {@code ErrAgentInactive}. Carries the agent for clean-up by the caller. */
public final class AgentInactiveException extends RuntimeException {

    private final transient Agent agent;

    public AgentInactiveException(Agent agent) {
        super("Agent inactive");
        this.agent = agent;
    }

    public Agent agent() {
        return agent;
    }
}
