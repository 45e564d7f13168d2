package dev.fleetserver.agent;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent document ({@code .fleet-agents}) as the server reads it. The document is shared with Kibana, so
 * it is kept as the raw JSON tree: every change is a partial update or an edit of this tree, never a rewrite
 * from typed fields that would drop Kibana's.
 *
 * @param id the agent id ({@code _id})
 * @param source the document as stored
 * @param version the store's version of the document, for conditional writes
 */
public record Agent(String id, ObjectNode source, DocumentVersion version) {

    public boolean active() {
        return source.path("active").asBoolean(false);
    }

    public boolean hasAgentObject() {
        return source.path("agent").isObject();
    }

    public @Nullable String accessApiKeyId() {
        return text("access_api_key_id");
    }

    public @Nullable String policyId() {
        return text("policy_id");
    }

    /** The revision the agent last acknowledged or reported; 0 when absent. */
    public long policyRevisionIdx() {
        return source.path("policy_revision_idx").asLong(0);
    }

    public @Nullable String agentPolicyId() {
        return text("agent_policy_id");
    }

    public @Nullable String agentVersion() {
        JsonNode version = source.path("agent").path("version");
        return version.isString() ? version.asString() : null;
    }

    /** The {@code _seq_no} of the last action the agent confirmed; -1 means "everything is new". */
    public long actionSeqNo() {
        JsonNode seqNo = source.path("action_seq_no");
        if (seqNo.isArray() && !seqNo.isEmpty()) {
            return seqNo.get(0).asLong(-1);
        }
        return seqNo.isNumber() ? seqNo.asLong() : -1;
    }

    public @Nullable String lastCheckin() {
        return text("last_checkin");
    }

    public @Nullable String lastCheckinStatus() {
        return text("last_checkin_status");
    }

    public @Nullable JsonNode field(String name) {
        JsonNode value = source.get(name);
        return value == null || value.isNull() ? null : value;
    }

    public @Nullable String replaceTokenHash() {
        return text("replace_token");
    }

    public @Nullable String enrolledAt() {
        return text("enrolled_at");
    }

    public @Nullable String type() {
        return text("type");
    }

    /** Whether the document carries audit/unenroll fields that the next checkin must remove. */
    public boolean hasAuditUnenrollFields() {
        return field("audit_unenrolled_reason") != null
                || field("audit_unenrolled_time") != null
                || field("unenrolled_at") != null;
    }

    /** The per-output API-key state, {@code outputs.<name>}. */
    public Map<String, OutputKey> outputs() {
        Map<String, OutputKey> outputs = new LinkedHashMap<>();
        JsonNode node = source.path("outputs");
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                outputs.put(entry.getKey(), OutputKey.from(entry.getValue()));
            }
        }
        return outputs;
    }

    public Optional<OutputKey> output(String name) {
        return Optional.ofNullable(outputs().get(name));
    }

    /** This agent with a document that lacks the given top-level fields; the other fields are shared, not copied. */
    public Agent without(Collection<String> fields) {
        ObjectNode kept = source.objectNode();
        source.properties().forEach(field -> {
            if (!fields.contains(field.getKey())) {
                kept.set(field.getKey(), field.getValue());
            }
        });
        return new Agent(id, kept, version);
    }

    private @Nullable String text(String name) {
        JsonNode value = source.get(name);
        return value != null && value.isString() ? value.asString() : null;
    }
}
