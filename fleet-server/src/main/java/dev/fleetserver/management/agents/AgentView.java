package dev.fleetserver.management.agents;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStatus;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent as Kibana's API shows it ({@code searchHitToAgent}): the document's fields under Kibana's names ({@code
 * policy_revision_idx} becomes {@code policy_revision}, {@code last_checkin_status} lower case), the derived
 * {@code status}, and never key material ({@code outputs.*.api_key}, replace tokens, enrollment ids).
 */
final class AgentView {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Fields copied as they are, in Kibana's order. */
    private static final List<String> COPIED = List.of(
            "type",
            "active",
            "enrolled_at",
            "unenrolled_at",
            "unenrollment_started_at",
            "audit_unenrolled_reason",
            "upgraded_at",
            "upgrade_started_at",
            "upgrade_details",
            "upgrade_attempts",
            "access_api_key_id",
            "default_api_key_id",
            "policy_id",
            "policy_base_id");

    private static final List<String> COPIED_AFTER_CHECKIN = List.of(
            "last_checkin_message",
            "user_provided_metadata",
            "local_metadata",
            "tags",
            "components",
            "agent",
            "unhealthy_reason",
            "namespaces",
            "default_api_key_history");

    private AgentView() {}

    static ObjectNode of(Agent agent, AgentStatus status) {
        ObjectNode source = agent.source();
        ObjectNode view = NODES.objectNode();
        view.put("id", agent.id());
        copy(source, view, COPIED);
        if (source.has("policy_revision_idx")) {
            view.set("policy_revision", source.get("policy_revision_idx").deepCopy());
        }
        copy(source, view, List.of("last_checkin"));
        JsonNode checkinStatus = source.get("last_checkin_status");
        if (checkinStatus != null && checkinStatus.isString()) {
            view.put("last_checkin_status", checkinStatus.asString().toLowerCase(Locale.ROOT));
        }
        copy(source, view, COPIED_AFTER_CHECKIN);
        if (source.path("outputs") instanceof ObjectNode outputs) {
            view.set("outputs", outputsWithoutKeys(outputs));
        }
        view.set(
                "packages",
                source.path("packages").isArray() ? source.get("packages").deepCopy() : NODES.arrayNode());
        view.put("status", status.wireName());
        return view;
    }

    private static void copy(ObjectNode from, ObjectNode to, List<String> fields) {
        for (String field : fields) {
            JsonNode value = from.get(field);
            if (value != null) {
                to.set(field, value.deepCopy());
            }
        }
    }

    private static ObjectNode outputsWithoutKeys(ObjectNode outputs) {
        ObjectNode shown = NODES.objectNode();
        for (Map.Entry<String, JsonNode> output : outputs.properties()) {
            if (!(output.getValue() instanceof ObjectNode value)) {
                continue;
            }
            ObjectNode entry = shown.putObject(output.getKey());
            copy(value, entry, List.of("api_key_id", "type"));
            JsonNode retiring = value.path("to_retire_api_key_ids");
            if (retiring.isArray()) {
                ArrayNode ids = entry.putArray("to_retire_api_key_ids");
                retiring.forEach(key -> ids.addObject()
                        .put("id", key.path("id").asString(""))
                        .put("retired_at", key.path("retired_at").asString("")));
            }
        }
        return shown;
    }
}
