package dev.fleetserver.management.policies;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent policy as its latest revision document holds it: the policy agents run ({@code data}) and, in fields of
 * ours that Kibana's documents do not have, the policy's attributes ({@code agent_policy}: name, namespace,
 * inactivity timeout, ...) and the content the operator gave ({@code agent_policy_content}). For revisions
 * written by a real Kibana, which keeps attributes in saved objects this server cannot read, the attributes fall
 * back to what the document says (the name is the id).
 */
public record AgentPolicy(
        String id, long revision, ObjectNode attributes, ObjectNode content, ObjectNode data, ObjectNode document) {

    /** Our field of the revision document holding the policy's own attributes. */
    static final String ATTRIBUTES_FIELD = "agent_policy";

    /** Our field of the revision document holding the content the operator gave (before defaults). */
    static final String CONTENT_FIELD = "agent_policy_content";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    public static AgentPolicy of(ObjectNode document) {
        String id = document.path("policy_id").asString("");
        long revision = document.path("revision_idx").asLong(0);
        ObjectNode data = document.path("data") instanceof ObjectNode object ? object : NODES.objectNode();
        ObjectNode attributes = document.path(ATTRIBUTES_FIELD) instanceof ObjectNode stored
                ? stored.deepCopy()
                : fallbackAttributes(id, document, data);
        attributes.put("id", id);
        attributes.put("revision", revision);
        ObjectNode content =
                document.path(CONTENT_FIELD) instanceof ObjectNode stored ? stored.deepCopy() : contentOf(data);
        return new AgentPolicy(id, revision, attributes, content, data, document);
    }

    /** What a revision written by Kibana tells of the policy: everything else takes Kibana's defaults. */
    private static ObjectNode fallbackAttributes(String id, ObjectNode document, ObjectNode data) {
        ObjectNode attributes = NODES.objectNode();
        attributes.put("id", id);
        attributes.put("name", id);
        attributes.put(
                "namespace",
                data.path("agent").path("monitoring").path("namespace").asString("default"));
        attributes.put("status", "active");
        attributes.put("is_managed", false);
        attributes.put(
                "is_protected",
                data.path("agent").path("protection").path("enabled").asBoolean(false));
        attributes.put("inactivity_timeout", AgentPolicySchemas.DEFAULT_INACTIVITY_TIMEOUT);
        attributes.put(
                "is_default_fleet_server", document.path("default_fleet_server").asBoolean(false));
        attributes.put("updated_at", document.path("@timestamp").asString(""));
        attributes.put("updated_by", "system");
        if (document.path("namespaces").isArray()) {
            attributes.set("space_ids", document.get("namespaces").deepCopy());
        }
        return attributes;
    }

    /** The content of a policy agents run, for a revision that did not record what the operator gave. */
    private static ObjectNode contentOf(ObjectNode data) {
        ObjectNode content = NODES.objectNode();
        for (String key : AgentPolicySchemas.CONTENT_KEYS) {
            JsonNode value = data.get(key);
            if (value != null && !value.isNull()) {
                content.set(key, value.deepCopy());
            }
        }
        return content;
    }

    public String name() {
        return attributes.path("name").asString(id);
    }

    public boolean isManaged() {
        return attributes.path("is_managed").asBoolean(false);
    }

    /** Seconds; 0 means "never inactive". */
    public long inactivityTimeout() {
        return attributes.path("inactivity_timeout").asLong(AgentPolicySchemas.DEFAULT_INACTIVITY_TIMEOUT);
    }

    /** The namespaces ({@code space_ids}) agents and keys of this policy belong to; {@code default} when none. */
    public java.util.List<String> namespaces() {
        java.util.List<String> namespaces = new java.util.ArrayList<>();
        document.path("namespaces").forEach(n -> namespaces.add(n.asString()));
        return namespaces.isEmpty() ? java.util.List.of("default") : namespaces;
    }

    /**
     * The policy as Kibana answers it ({@code AgentPolicy}): its attributes with {@code revision}, and the extra
     * fields the caller adds ({@code agents}, {@code package_policies}).
     */
    public ObjectNode response(Map<String, JsonNode> extra) {
        ObjectNode item = attributes.deepCopy();
        item.put("revision", revision);
        extra.forEach(item::set);
        return item;
    }
}
