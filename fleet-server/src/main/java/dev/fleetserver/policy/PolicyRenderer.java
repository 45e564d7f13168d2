package dev.fleetserver.policy;

import dev.fleetserver.agent.Agent;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a prepared policy revision into the POLICY_CHANGE action for one agent (algorithms §9.2): the shared,
 * once-prepared policy plus this agent's output API keys.
 */
public final class PolicyRenderer {

    private final OutputKeys outputKeys;

    public PolicyRenderer(OutputKeys outputKeys) {
        this.outputKeys = outputKeys;
    }

    public ObjectNode render(Agent agent, PreparedPolicy policy) {
        ObjectNode deliverable = policy.deliverable().deepCopy();
        Map<String, String> keys = outputKeys.ensure(agent, policy, PolicyOutputs.apiKeyOutputs(deliverable));
        PolicyOutputs.inject(deliverable, keys, outputKeys.ownClusterOutputs(deliverable));
        return PolicyChangeAction.of(
                policy.policyId(), policy.revisionIdx(), policy.createdAt(), agent.id(), deliverable);
    }
}
