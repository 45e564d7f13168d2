package dev.fleetserver.policy;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One revision of an agent policy ({@code .fleet-policies}, one document per revision, written by Kibana).
 *
 * @param timestamp the revision's {@code @timestamp}: the POLICY_CHANGE's {@code created_at}
 * @param data the policy as agents run it
 */
public record PolicyDocument(
        String policyId, long revisionIdx, @Nullable String timestamp, ObjectNode data) {

    /** Reads a stored revision document ({@code policy_id}, {@code revision_idx}, {@code @timestamp}, {@code data}). */
    public static PolicyDocument of(ObjectNode source) {
        JsonNode timestamp = source.get("@timestamp");
        JsonNode data = source.get("data");
        return new PolicyDocument(
                source.path("policy_id").asString(""),
                source.path("revision_idx").asLong(0),
                timestamp != null && timestamp.isString() ? timestamp.asString() : null,
                data instanceof ObjectNode object ? object : source.objectNode());
    }
}
