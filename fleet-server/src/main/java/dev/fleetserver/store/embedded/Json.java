package dev.fleetserver.store.embedded;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Documents are stored as JSON text, exactly the trees the features hand over (ADR 8). */
final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    static ObjectNode object(String text) {
        if (MAPPER.readTree(text) instanceof ObjectNode object) {
            return object;
        }
        throw new IllegalStateException("stored document is not a JSON object");
    }

    static JsonNode tree(String text) {
        return MAPPER.readTree(text);
    }

    static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode newArray() {
        return MAPPER.createArrayNode();
    }
}
