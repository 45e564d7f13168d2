package dev.fleetserver.policy;

import dev.fleetserver.agent.Agent;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a prepared policy revision into the POLICY_CHANGE action for one agent (algorithms §9.2): the shared,
 * once-prepared policy plus this agent's output API keys. The two halves are separate so that the rendering can be
 * shared: {@link #outputKeys} is the per-agent work (it may create or update keys), {@link #render(String,
 * PreparedPolicy, Map, Set)} is a pure function of the revision, the agent's id and the key values.
 */
public final class PolicyRenderer {

    private final OutputKeys outputKeys;

    public PolicyRenderer(OutputKeys outputKeys) {
        this.outputKeys = outputKeys;
    }

    /** The agent's POLICY_CHANGE action: its output keys made sure of, then rendered into a copy of the revision. */
    public ObjectNode render(Agent agent, PreparedPolicy policy) {
        return render(agent.id(), policy, outputKeys(agent, policy), ownClusterOutputs(policy));
    }

    /**
     * Makes sure the agent holds a key for each output of the revision that needs one (algorithms §8.4).
     *
     * @return {@code "<id>:<key>"} per output name that has a key, in the policy's output order
     * @throws PolicyRenderException when the revision's outputs cannot be delivered
     */
    public Map<String, String> outputKeys(Agent agent, PreparedPolicy policy) {
        return outputKeys.ensure(agent, policy, PolicyOutputs.apiKeyOutputs(policy.deliverable()));
    }

    /** The revision's {@code elasticsearch} outputs whose keys live in their own cluster (their token is removed). */
    public Set<String> ownClusterOutputs(PreparedPolicy policy) {
        return outputKeys.ownClusterOutputs(policy.deliverable());
    }

    /**
     * The POLICY_CHANGE action for {@code agentId} with the given keys, in a new tree; {@code policy} is not changed.
     *
     * @param apiKeyByOutput {@code "<id>:<key>"} per output that has a key
     * @param ownClusterOutputs as {@link #ownClusterOutputs}
     */
    public static ObjectNode render(
            String agentId, PreparedPolicy policy, Map<String, String> apiKeyByOutput, Set<String> ownClusterOutputs) {
        ObjectNode deliverable = policy.deliverable().deepCopy();
        PolicyOutputs.inject(deliverable, apiKeyByOutput, ownClusterOutputs);
        return PolicyChangeAction.of(policy.policyId(), policy.revisionIdx(), policy.createdAt(), agentId, deliverable);
    }
}
