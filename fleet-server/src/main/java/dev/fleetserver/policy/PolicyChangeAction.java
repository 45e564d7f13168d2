package dev.fleetserver.policy;

import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code POLICY_CHANGE} action synthesized from a policy revision (agent-api §10.7.3), and the parsing of its
 * id when the agent acknowledges it. The id format matters: acks are matched to policies by parsing it.
 */
public final class PolicyChangeAction {

    public static final String TYPE = "POLICY_CHANGE";

    /** What Go's {@code strconv.ParseInt(s, 10, 64)} accepts, before the range check. */
    private static final Pattern INT64 = Pattern.compile("[+-]?[0-9]+");

    private PolicyChangeAction() {}

    /**
     * The action {@code {id: "policy:<policyId>:<revisionIdx>", type, agent_id, created_at, input_type: "", data:
     * {policy}}}. {@code renderedPolicy} is embedded as is, not copied.
     *
     * @param createdAt the revision's {@code @timestamp}; sent as {@code ""} when absent
     */
    public static ObjectNode of(
            String policyId, long revisionIdx, @Nullable String createdAt, String agentId, ObjectNode renderedPolicy) {
        ObjectNode action = JsonNodeFactory.instance.objectNode();
        action.put("id", "policy:" + policyId + ":" + revisionIdx);
        action.put("type", TYPE);
        action.put("agent_id", agentId);
        action.put("created_at", createdAt == null ? "" : createdAt);
        action.put("input_type", "");
        action.putObject("data").set("policy", renderedPolicy);
        return action;
    }

    /**
     * Parses {@code policy:<policy id>:<revision idx>}, or the pre-8.15 form with a fourth part (the obsolete
     * coordinator index, ignored). Anything else is not a policy ack.
     */
    public static Optional<PolicyAckId> parseAckId(String actionId) {
        String[] parts = actionId.split(":", -1);
        if ((parts.length != 3 && parts.length != 4)
                || !parts[0].equals("policy")
                || !INT64.matcher(parts[2]).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PolicyAckId(parts[1], Long.parseLong(parts[2])));
        } catch (NumberFormatException outOfRange) {
            return Optional.empty();
        }
    }
}
