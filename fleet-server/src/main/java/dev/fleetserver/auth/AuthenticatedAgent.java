package dev.fleetserver.auth;

import dev.fleetserver.agent.Agent;

/** An agent whose access key was verified and whose document is active. */
public record AuthenticatedAgent(Agent agent, ApiKey key) {

    public String id() {
        return agent.id();
    }
}
