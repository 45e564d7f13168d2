package dev.fleetserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TestConfigs;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/**
 * The agent listener's common behaviour over a real socket (agent-api §2, §4, §6), with an Elasticsearch that
 * cannot be reached: the server must still answer, report not-ready and never show a stack trace.
 */
class AgentListenerHttpTests {

    private static RunningServer server;
    private final Http http = Http.plain();

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.unreachable(""));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void statusIs503WhileElasticsearchIsUnreachable() {
        HttpResponse<String> response = http.get(server.agent("/api/status"));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(Http.json(response).path("name").asString()).isEqualTo("fleet-server");
        assertThat(Http.json(response).path("status").asString()).isEqualTo("STARTING");
        assertThat(Http.json(response).has("version")).isFalse();
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(
                        type -> assertThat(MediaType.parseMediaType(type).isCompatibleWith(MediaType.APPLICATION_JSON))
                                .isTrue());
    }

    @Test
    void aTrailingSlashIsAnUnknownPath() {
        HttpResponse<String> response = http.get(server.agent("/api/status/"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("404 page not found\n");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type ->
                        assertThat(MediaType.parseMediaType(type).toString()).isEqualTo("text/plain;charset=utf-8"));
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(response.headers().firstValue("Elastic-Api-Version")).isEmpty();
    }

    @Test
    void unknownPathsAndSpringsErrorPathAre404s() {
        for (String path : new String[] {"/", "/nope", "/error", "/actuator/health", "/api/fleet/agents"}) {
            HttpResponse<String> response = http.get(server.agent(path));
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).isEqualTo("404 page not found\n");
        }
    }

    @Test
    void aWrongMethodIs405WithAllowAndAnEmptyBody() {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(server.agent("/api/status")).method("PUT", HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).contains("GET");
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void headIsNotImplicitlyAllowed() {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.agent("/api/status"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isEqualTo(405);
    }

    @Test
    void optionsAndTraceAreWrongMethodsToo() throws Exception {
        HttpResponse<String> options = http.send(HttpRequest.newBuilder(server.agent("/api/status"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(options.statusCode()).isEqualTo(405);
        assertThat(options.headers().firstValue("Allow")).contains("GET");
        assertThat(options.body()).isEmpty();

        String trace = raw("TRACE /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(trace)
                .startsWith("HTTP/1.1 405")
                .containsIgnoringCase("X-Request-Id:")
                .endsWith("\r\n\r\n");
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        String answer = raw("GET /api/status HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 431").doesNotContain("Exception");
    }

    private static String raw(String request) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", server.agentUri().getPort())) {
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aRequestIdIsEchoedOrGenerated() {
        assertThat(http.get(server.agent("/api/status"), "X-Request-Id", "abc")
                        .headers()
                        .firstValue("X-Request-Id"))
                .contains("abc");
        assertThat(http.get(server.agent("/api/status")).headers().firstValue("X-Request-Id"))
                .hasValueSatisfying(id ->
                        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    }

    @Test
    void theSupportedApiVersionIsEchoedAndTheDefaultAnnounced() {
        assertThat(http.get(server.agent("/api/status")).headers().firstValue("Elastic-Api-Version"))
                .contains("2023-06-01");
        assertThat(http.get(server.agent("/api/status"), "elastic-api-version", "2023-06-01")
                        .headers()
                        .firstValue("Elastic-Api-Version"))
                .contains("2023-06-01");
    }

    @Test
    void aMalformedApiVersionIs400() {
        HttpResponse<String> response = http.get(server.agent("/api/status"), "Elastic-Api-Version", "banana");

        assertFleetError(response, 400, "ErrInvalidAPIVersionFormat");
        assertThat(Http.json(response).path("message").asString())
                .isEqualTo(
                        "received \"banana\", expected a valid date string formatted as YYYY-MM-DD. invalid version format");
        assertThat(response.headers().firstValue("Elastic-Api-Version")).contains("2023-06-01");
    }

    @Test
    void anUnsupportedApiVersionIs400() {
        HttpResponse<String> response = http.get(server.agent("/api/status"), "Elastic-Api-Version", "1990-01-01");

        assertFleetError(response, 400, "ErrUnsupportedAPIVersion");
        assertThat(Http.json(response).path("message").asString())
                .isEqualTo(
                        "received \"1990-01-01\", is not supported. supported versions are: [2023-06-01] version is not supported");
    }

    @Test
    void aRepeatedSingleValuedHeaderFailsAsUpstreamDoes() {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.agent("/api/status"))
                .header("Elastic-Api-Version", "2023-06-01")
                .header("Elastic-Api-Version", "2023-06-01"));

        assertFleetError(response, 500, "BadRequest");
        assertThat(Http.json(response).path("message").asString())
                .isEqualTo("Expected one value for Elastic-Api-Version, got 2");
    }

    @Test
    void anyAuthenticationProblemOnStatusGivesTheShortAnswer() {
        for (String header : new String[] {"Bearer x", "ApiKey %%%", "ApiKey YTpi"}) {
            HttpResponse<String> response = http.get(server.agent("/api/status"), "Authorization", header);
            assertThat(response.statusCode()).as(header).isEqualTo(503);
            assertThat(Http.json(response).has("version")).as(header).isFalse();
        }
    }

    @Test
    void aBadRequestLineGetsFleetJsonNotAStackTrace() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", server.agentUri().getPort())) {
            socket.getOutputStream()
                    .write("GET /api/st{atus HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer)
                    .startsWith("HTTP/1.1 400")
                    .contains("{\"statusCode\":400,\"error\":\"BadRequest\",\"message\":\"bad request\"}")
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
        }
    }

    static void assertFleetError(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode body = Http.json(response);
        assertThat(body.propertyNames()).containsExactlyInAnyOrder("statusCode", "error", "message");
        assertThat(body.path("statusCode").asInt()).isEqualTo(status);
        assertThat(body.path("error").asString()).isEqualTo(error);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(
                                MediaType.parseMediaType(type).toString().replace(" ", ""))
                        .isEqualTo("application/json;charset=utf-8"));
        assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
