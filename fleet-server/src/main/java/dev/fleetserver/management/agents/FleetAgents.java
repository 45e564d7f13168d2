package dev.fleetserver.management.agents;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStatus;
import dev.fleetserver.agent.AgentStatusRules;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.management.policies.AgentPolicy;
import dev.fleetserver.management.policies.AgentPolicyService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every agent with its status, from one pass over the agent store and one read of the policies (for their
 * inactivity timeouts). Listings, status counts and metrics all start here; a pass costs one read of every agent
 * document, so callers that run often (metrics) space their passes out.
 */
final class FleetAgents {

    /** An agent and the status Fleet derives for it at the time of the pass. */
    record Scanned(Agent agent, AgentStatus status) {}

    private final AgentStore agents;
    private final AgentPolicyService policies;
    private final Clock clock;

    FleetAgents(AgentStore agents, AgentPolicyService policies, Clock clock) {
        this.agents = agents;
        this.policies = policies;
        this.clock = clock;
    }

    List<Scanned> scan() {
        AgentStatusRules rules = rules();
        Instant now = clock.instant();
        List<Scanned> scanned = new ArrayList<>();
        agents.forEachAgent(agent -> scanned.add(new Scanned(agent, rules.statusOf(agent, now))));
        return scanned;
    }

    /** The rules with the current policies' inactivity timeouts. */
    AgentStatusRules rules() {
        Map<String, Long> timeouts = new HashMap<>();
        for (AgentPolicy policy : policies.all()) {
            timeouts.put(policy.id(), policy.inactivityTimeout());
        }
        return new AgentStatusRules(timeouts);
    }

    Instant now() {
        return clock.instant();
    }
}
