package dev.fleetserver.auth;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import java.util.List;
import java.util.Objects;

/**
 * Authenticates an agent's request (agent-api §7.4): the access key must be valid, must be the one recorded on
 * the agent document, and the agent must be active. Unknown agent ids are answered like a wrong key (403),
 * never 404, and never 401, which agents take for a dead key.
 */
public final class AgentAuthenticator {

    private final ApiKeyAuthenticator keys;
    private final AgentStore agents;

    public AgentAuthenticator(ApiKeyAuthenticator keys, AgentStore agents) {
        this.keys = keys;
        this.agents = agents;
    }

    /** For routes with the agent id in the path (checkin, acks, audit). */
    public AuthenticatedAgent authenticate(List<String> authorizationHeaders, String agentId) {
        ApiKey key = ApiKey.fromAuthorizationHeaders(authorizationHeaders);
        keys.authenticate(key);
        Agent agent = agents.findById(agentId).orElse(null);
        if (agent == null || !Objects.equals(agent.accessApiKeyId(), key.id())) {
            throw new AgentIdentityException();
        }
        return checked(agent, key);
    }

    /** For routes without an agent id (artifacts, file delivery): the agent is found by its key. */
    public AuthenticatedAgent authenticateByKey(List<String> authorizationHeaders) {
        ApiKey key = ApiKey.fromAuthorizationHeaders(authorizationHeaders);
        keys.authenticate(key);
        Agent agent = agents.findByAccessApiKeyId(key.id()).orElseThrow(AgentNotFoundException::new);
        return checked(agent, key);
    }

    private AuthenticatedAgent checked(Agent agent, ApiKey key) {
        if (!agent.hasAgentObject() || !Objects.equals(agent.accessApiKeyId(), key.id())) {
            throw new AgentCorruptedException();
        }
        if (!agent.active()) {
            // The key may stay valid in the store; make sure the next request asks again.
            keys.forget(key.id());
            throw new AgentInactiveException(agent);
        }
        return new AuthenticatedAgent(agent, key);
    }
}
