package dev.fleetserver.testing.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Checks that the shared node gives Fleet Server what it needs: its service account and API keys. */
class ElasticsearchNodeIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ElasticsearchNode node = TestElasticsearch.shared();

    @Test
    void serviceTokenAuthenticatesAsFleetServer() throws Exception {
        HttpResponse<String> response = send("GET", "/_security/_authenticate", bearer(), null);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("elastic/fleet-server", field(response.body(), "username"));
    }

    @Test
    void apiKeyCreatedBySuperuserAuthenticates() throws Exception {
        HttpResponse<String> created =
                send("POST", "/_security/api_key?refresh=true", basic(), "{\"name\":\"elasticsearch-node-it\"}");
        assertEquals(200, created.statusCode(), created.body());

        HttpResponse<String> response =
                send("GET", "/_security/_authenticate", "ApiKey " + field(created.body(), "encoded"), null);

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"name\":\"elasticsearch-node-it\""), response.body());
    }

    // Fleet Server reads the node version to check compatibility; GET / does not exist in this distribution.
    @Test
    void serviceAccountReadsNodeVersion() throws Exception {
        HttpResponse<String> response = send("GET", "/_nodes/_local/http?filter_path=nodes.*.version", bearer(), null);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("9.5.0", field(response.body(), "version"));
        assertEquals("9.5.0", node.version());
    }

    private HttpResponse<String> send(String method, String path, String authorization, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(node.httpUri().resolve(path))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String bearer() {
        return "Bearer " + node.serviceToken();
    }

    private String basic() {
        String credentials = node.superuser() + ":" + node.superuserPassword();
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private static String field(String json, String name) {
        Matcher matcher =
                Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        assertTrue(matcher.find(), () -> "no " + name + " in " + json);
        return matcher.group(1);
    }
}
