package dev.fleetserver.testsupport;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;

/**
 * An operator's script against the management API, through a real socket: requests carry {@code Authorization:
 * ApiKey base64(id:key)} (unless made {@link #anonymous}) and {@code kbn-xsrf}, as Kibana clients send them.
 */
public final class ManagementClient {

    /** An operator key with every privilege, for tests' YAML. */
    public static final String ADMIN_ID = "admin";

    public static final String ADMIN_KEY = Secrets.register("admin-operator-key-0123456789abcdef");

    /** An operator key with the {@code read} shorthand only. */
    public static final String READER_ID = "reader";

    public static final String READER_KEY = Secrets.register("reader-operator-key-0123456789abcdef");

    /** The {@code fleet.management} block declaring both keys (top-level YAML). */
    public static final String OPERATOR_KEYS_YAML = """
            fleet:
              management:
                api_keys:
                  - {id: %s, key: %s, privileges: [all]}
                  - {id: %s, key: %s, privileges: [read]}
            """.formatted(ADMIN_ID, ADMIN_KEY, READER_ID, READER_KEY);

    private final URI base;
    private final String authorization;
    private final Http http = Http.plain();

    private ManagementClient(URI base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    public static ManagementClient admin(URI base) {
        return as(base, ADMIN_ID, ADMIN_KEY);
    }

    public static ManagementClient reader(URI base) {
        return as(base, READER_ID, READER_KEY);
    }

    public static ManagementClient as(URI base, String id, String key) {
        return new ManagementClient(
                base,
                "ApiKey " + Base64.getEncoder().encodeToString((id + ":" + key).getBytes(StandardCharsets.UTF_8)));
    }

    /** No {@code Authorization} header at all. */
    public static ManagementClient anonymous(URI base) {
        return new ManagementClient(base, null);
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    public HttpResponse<String> post(String path, String json) {
        return send("POST", path, json);
    }

    public HttpResponse<String> put(String path, String json) {
        return send("PUT", path, json);
    }

    public HttpResponse<String> delete(String path) {
        return send("DELETE", path, null);
    }

    public HttpResponse<String> send(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("kbn-xsrf", "true")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request);
    }

    /** The body of a 200 answer as JSON; anything else fails with the answer in the message. */
    public static JsonNode ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("expected 200, got " + response.statusCode() + ": " + response.body());
        }
        return Http.json(response);
    }

    /** Single quotes for double quotes, so tests can write JSON inline. */
    public static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }
}
