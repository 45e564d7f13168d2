package dev.fleetserver.policy;

import dev.fleetserver.agent.Agent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a prepared policy revision into the POLICY_CHANGE action for one agent (algorithms §9.2): the shared,
 * once-prepared policy plus this agent's output API keys.
 */
public final class PolicyRenderer {

    private static final Logger log = LoggerFactory.getLogger(PolicyRenderer.class);

    private final OutputKeys outputKeys;

    public PolicyRenderer(OutputKeys outputKeys) {
        this.outputKeys = outputKeys;
    }

    public ObjectNode render(Agent agent, PreparedPolicy policy) {
        ObjectNode deliverable = policy.deliverable().deepCopy();
        List<String> local = new ArrayList<>();
        for (String output : PolicyOutputs.apiKeyOutputs(deliverable)) {
            if ("remote_elasticsearch"
                    .equals(deliverable
                            .path("outputs")
                            .path(output)
                            .path("type")
                            .asString())) {
                // Keys in a remote cluster need that cluster's client; the output is delivered without a key.
                log.warn(
                        "Output {} of policy {} is a remote Elasticsearch; its API key is not created",
                        output,
                        policy.policyId());
            } else {
                local.add(output);
            }
        }
        Map<String, String> keys = outputKeys.ensure(agent, policy, local);
        PolicyOutputs.inject(deliverable, keys);
        return PolicyChangeAction.of(
                policy.policyId(), policy.revisionIdx(), policy.createdAt(), agent.id(), deliverable);
    }
}
