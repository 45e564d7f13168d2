package dev.fleetserver.policy;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The part of a policy revision's {@code data} that is sent to agents (algorithms §9.2 step 7): only the top-level
 * keys upstream delivers, each left out when empty, as upstream's {@code omitempty} fields are. Anything else a
 * revision carries (e.g. {@code secret_references}, keys of newer Kibana versions) stays on the server.
 */
public final class DeliverablePolicy {

    /** In the order upstream writes them; agents do not depend on the order. */
    private static final List<String> DELIVERED_KEYS = List.of(
            "id",
            "revision",
            "outputs",
            "output_permissions",
            "inputs",
            "agent",
            "fleet",
            "signed",
            "receivers",
            "processors",
            "exporters",
            "extensions",
            "connectors",
            "service");

    private DeliverablePolicy() {}

    /**
     * A new object with deep copies of the delivered keys of {@code policyData} and {@code secret_paths} set to
     * {@code secretPaths} (left out when empty); {@code policyData} is not changed.
     */
    public static ObjectNode of(ObjectNode policyData, List<String> secretPaths) {
        ObjectNode deliverable = JsonNodeFactory.instance.objectNode();
        for (String key : DELIVERED_KEYS) {
            JsonNode value = policyData.get(key);
            if (value != null && !isEmpty(value)) {
                deliverable.set(key, value.deepCopy());
            }
        }
        if (!secretPaths.isEmpty()) {
            ArrayNode paths = deliverable.putArray("secret_paths");
            secretPaths.forEach(paths::add);
        }
        return deliverable;
    }

    /** Go's notion of an empty value for the field types involved: "", 0, empty map or slice, nil. */
    private static boolean isEmpty(JsonNode value) {
        return switch (value.getNodeType()) {
            case NULL, MISSING -> true;
            case STRING -> value.stringValue().isEmpty();
            case NUMBER -> value.doubleValue() == 0;
            case OBJECT, ARRAY -> value.isEmpty();
            default -> false;
        };
    }
}
