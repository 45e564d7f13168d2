package dev.fleetserver.store.embedded;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A partial update as Elasticsearch applies one ({@code _update} with {@code doc}): objects are merged field by
 * field at every level, anything else (values, arrays, {@code null}) replaces what was there. The checkin writer
 * relies on it: {@code agent: {version}} must keep {@code agent.id}.
 */
final class PartialUpdate {

    private PartialUpdate() {}

    /** Applies {@code fields} to {@code target} in place. */
    static void apply(ObjectNode target, ObjectNode fields) {
        for (Map.Entry<String, JsonNode> field : fields.properties()) {
            JsonNode current = target.get(field.getKey());
            if (current instanceof ObjectNode currentObject && field.getValue() instanceof ObjectNode update) {
                apply(currentObject, update);
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }
}
