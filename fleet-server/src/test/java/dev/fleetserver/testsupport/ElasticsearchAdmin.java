package dev.fleetserver.testsupport;

import dev.fleetserver.testing.elasticsearch.ElasticsearchNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;

/**
 * What Kibana or an operator does to the test node, as the superuser: create and delete indices, API keys
 * and service tokens, read mappings. Plain REST calls, so tests state exactly what they send.
 */
public final class ElasticsearchAdmin {

    private final ElasticsearchNode node;
    private final Http http = Http.plain();
    private final String authorization;

    public ElasticsearchAdmin(ElasticsearchNode node) {
        this.node = node;
        Secrets.register(node.serviceToken());
        Secrets.register(node.superuserPassword());
        this.authorization = "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                (node.superuser() + ":" + node.superuserPassword()).getBytes(StandardCharsets.UTF_8));
    }

    public ElasticsearchNode node() {
        return node;
    }

    public HttpResponse<String> request(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.httpUri() + path))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request);
    }

    public JsonNode json(String method, String path, String body) {
        HttpResponse<String> response = request(method, path, body);
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(
                    method + " " + path + " -> " + response.statusCode() + ": " + response.body());
        }
        return Http.json(response);
    }

    /** Deletes every {@code .fleet-*} index (and so its aliases), except {@code .fleet-secrets}, for a fresh start. */
    public void deleteFleetIndices() {
        // Deleting by wildcard is refused (action.destructive_requires_name), so delete by name.
        java.util.List<String> names = new java.util.ArrayList<>();
        json("GET", "/_resolve/index/.fleet-*?expand_wildcards=all", null)
                .path("indices")
                .forEach(index -> {
                    String name = index.path("name").asString();
                    if (!name.startsWith(".fleet-secrets")) {
                        names.add(name);
                    }
                });
        if (!names.isEmpty()) {
            json("DELETE", "/" + String.join(",", names) + "?expand_wildcards=all", null);
        }
    }

    /** A new API key as base64(id:secret), registered as a secret. */
    public String createApiKey(String name) {
        JsonNode key = json("POST", "/_security/api_key?refresh=true", "{\"name\":\"" + name + "\"}");
        Secrets.register(key.path("api_key").asString());
        return Secrets.register(key.path("encoded").asString());
    }

    /** A new index-backed service token for {@code elastic/fleet-server}, registered as a secret. */
    public String createServiceToken(String name) {
        JsonNode token = json(
                "POST", "/_security/service/elastic/fleet-server/credential/token/" + name + "?refresh=true", null);
        return Secrets.register(token.path("token").path("value").asString());
    }

    public void deleteServiceToken(String name) {
        json("DELETE", "/_security/service/elastic/fleet-server/credential/token/" + name + "?refresh=true", null);
    }
}
