package dev.fleetserver.agent;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An agent's API key for one output, {@code outputs.<name>} of the agent document.
 *
 * @param apiKey {@code "<id>:<key>"}, or a {@code $co.elastic.secret{…}} reference written by a server with the
 *     Fleet plugin; empty forces a new key
 * @param retiredKeyIds keys replaced by newer ones, invalidated once the agent runs a newer policy
 */
public record OutputKey(
        @Nullable String type,
        @Nullable String apiKeyId,
        @Nullable String apiKey,
        @Nullable String permissionsHash,
        List<String> retiredKeyIds) {

    static OutputKey from(JsonNode node) {
        List<String> retired = new ArrayList<>();
        for (JsonNode entry : node.path("to_retire_api_key_ids")) {
            String id = entry.path("id").asString("");
            if (!id.isEmpty()) {
                retired.add(id);
            }
        }
        return new OutputKey(
                text(node, "type"),
                text(node, "api_key_id"),
                text(node, "api_key"),
                text(node, "permissions_hash"),
                List.copyOf(retired));
    }

    public boolean hasApiKey() {
        return apiKey != null && !apiKey.isEmpty();
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }
}
