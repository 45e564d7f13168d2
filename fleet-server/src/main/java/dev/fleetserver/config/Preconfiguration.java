package dev.fleetserver.config;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policies and enrollment tokens declared in {@code fleet-server.yml} (ours, in the spirit of Kibana's {@code
 * xpack.fleet.agentPolicies}), upserted at every start.
 *
 * @param agentPolicies {@code fleet.agent_policies}: Kibana's agent-policy fields ({@code id} and {@code name}
 *     required) plus the content agents run ({@code inputs}, {@code outputs}, {@code output_permissions}, {@code
 *     agent}, {@code fleet})
 * @param enrollmentTokens {@code fleet.enrollment_tokens}: {@code policy_id} (required), {@code name}, and on
 *     the embedded store optionally the {@code token} itself
 */
public record Preconfiguration(
        @Nullable List<ObjectNode> agentPolicies, @Nullable List<ObjectNode> enrollmentTokens) {

    public Preconfiguration {
        agentPolicies = agentPolicies == null ? List.of() : List.copyOf(agentPolicies);
        enrollmentTokens = enrollmentTokens == null ? List.of() : List.copyOf(enrollmentTokens);
    }

    public static Preconfiguration none() {
        return new Preconfiguration(List.of(), List.of());
    }
}
