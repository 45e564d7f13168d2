package dev.fleetserver.store.elasticsearch;

import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.store.StoreUnavailableException;
import java.util.Collection;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * API keys through Elasticsearch's security API, owned by the service account ({@code owner=true}). Role
 * descriptors travel as raw JSON so that every field Kibana put into a policy's permissions reaches
 * Elasticsearch unchanged. Keys are created without a refresh (about a second faster each); authentication
 * works at once, only searches and listings lag.
 */
final class ElasticsearchApiKeys implements ApiKeys {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ElasticsearchConnection connection;

    ElasticsearchApiKeys(ElasticsearchConnection connection) {
        this.connection = connection;
    }

    @Override
    public CreatedApiKey create(String name, ObjectNode roleDescriptors, ObjectNode metadata) {
        ObjectNode body = JSON.createObjectNode();
        body.put("name", name);
        body.set("role_descriptors", roleDescriptors);
        body.set("metadata", metadata);
        JsonNode created =
                call("security.create_api_key", "POST", "/_security/api_key?refresh=false", body, "create an API key");
        return new CreatedApiKey(
                created.path("id").asString(), created.path("api_key").asString());
    }

    @Override
    public Optional<ObjectNode> roleDescriptors(String keyId) {
        try {
            JsonNode found = connection.raw(
                    "security.get_api_key", "GET", "/_security/api_key?owner=true&id=" + encode(keyId), null);
            for (JsonNode key : found.path("api_keys")) {
                if (keyId.equals(key.path("id").asString())
                        && key.path("role_descriptors") instanceof ObjectNode roles) {
                    return Optional.of(roles);
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw ElasticsearchErrors.translate(e, "read API key " + keyId, connection.describe());
        }
    }

    @Override
    public void updateRoleDescriptors(String keyId, ObjectNode roleDescriptors) {
        ObjectNode body = JSON.createObjectNode();
        body.set("ids", JSON.createArrayNode().add(keyId));
        body.set("role_descriptors", roleDescriptors);
        JsonNode answer = call(
                "security.bulk_update_api_keys",
                "POST",
                "/_security/api_key/_bulk_update",
                body,
                "update API key " + keyId);
        if (answer.path("errors").path("count").asInt(0) > 0) {
            throw new StoreUnavailableException(
                    StoreUnavailableException.Reason.ERROR,
                    "API key " + keyId + " was not updated: " + answer.path("errors"));
        }
    }

    @Override
    public java.util.Set<String> invalidate(Collection<String> keyIds) {
        if (keyIds.isEmpty()) {
            return java.util.Set.of();
        }
        ObjectNode body = JSON.createObjectNode();
        var ids = body.putArray("ids");
        keyIds.forEach(ids::add);
        body.put("owner", true);
        JsonNode answer = call(
                "security.invalidate_api_key", "DELETE", "/_security/api_key", body, "invalidate API keys " + keyIds);
        java.util.Set<String> done = new java.util.HashSet<>();
        answer.path("invalidated_api_keys").forEach(id -> done.add(id.asString()));
        answer.path("previously_invalidated_api_keys").forEach(id -> done.add(id.asString()));
        return done;
    }

    private JsonNode call(String endpoint, String method, String path, ObjectNode body, String action) {
        try {
            return connection.raw(endpoint, method, path, JSON.writeValueAsString(body));
        } catch (Exception e) {
            throw ElasticsearchErrors.translate(e, action, connection.describe());
        }
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
