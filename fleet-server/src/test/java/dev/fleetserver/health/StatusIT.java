package dev.fleetserver.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TcpProxy;
import dev.fleetserver.testsupport.TestConfigs;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/status} against a real node (agent-api §12, §21 items 121–124). */
@ExtendWith({NoSecretsInLogs.class, OutputCaptureExtension.class})
class StatusIT {

    private static final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static RunningServer server;
    private final Http http = Http.plain();

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.forNode(admin.node())).awaitHealthy();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthyWithoutCredentialsIsTheShortAnswer() {
        HttpResponse<String> response = http.get(server.agent("/api/status"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Http.json(response))
                .isEqualTo(Http.JSON.readTree("{\"name\":\"fleet-server\",\"status\":\"HEALTHY\"}"));
    }

    @Test
    void aValidApiKeyAddsTheVersion() {
        String key = admin.createApiKey("status-check");

        HttpResponse<String> response = http.get(server.agent("/api/status"), "Authorization", "ApiKey " + key);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode version = Http.json(response).path("version");
        assertThat(version.path("number").asString()).isEqualTo("9.5.0");
        assertThat(version.has("build_hash")).isTrue();
        assertThat(version.path("build_time").asString()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
    }

    @Test
    void aKeyElasticsearchDoesNotKnowGivesTheShortAnswerNever401() {
        // If the service token were sent instead of the presented key, this key would "authenticate".
        String unknown =
                Base64.getEncoder().encodeToString("unknown-id:unknown-secret".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> response = http.get(server.agent("/api/status"), "Authorization", "ApiKey " + unknown);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Http.json(response).has("version")).isFalse();
    }

    @Test
    void unreachableElasticsearchMeans503AndItsReturnMeansHealthyWithoutRestart(CapturedOutput output)
            throws Exception {
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", admin.node().httpPort());
                RunningServer proxied = RunningServer.start(TestConfigs.load(
                                TestConfigs.yaml("http://127.0.0.1:" + proxy.port(), "service_token: ${TOKEN}", ""),
                                Map.of("TOKEN", admin.node().serviceToken())))
                        .awaitHealthy()) {
            int linesBefore = notReadyLines(output);

            proxy.cut();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> http.get(proxied.agent("/api/status")).statusCode() == 503);
            HttpResponse<String> down = http.get(proxied.agent("/api/status"));
            assertThat(Http.json(down).path("status").asString()).isEqualTo("DEGRADED");
            Thread.sleep(Duration.ofSeconds(4)); // several retries happen meanwhile

            proxy.restore();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> http.get(proxied.agent("/api/status")).statusCode() == 200);
            assertThat(Http.json(http.get(proxied.agent("/api/status")))
                            .path("status")
                            .asString())
                    .isEqualTo("HEALTHY");
            assertThat(notReadyLines(output) - linesBefore)
                    .as("log lines about the outage")
                    .isEqualTo(1);
            assertThat(output.getOut()).contains("is unreachable");
        }
    }

    @Test
    void everyRequestToElasticsearchCarriesTheServiceTokenAndTheFleetProductOrigin() throws Exception {
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", admin.node().httpPort());
                RunningServer proxied = RunningServer.start(TestConfigs.load(
                                TestConfigs.yaml("http://127.0.0.1:" + proxy.port(), "service_token: ${TOKEN}", ""),
                                Map.of("TOKEN", admin.node().serviceToken())))
                        .awaitHealthy()) {
            java.util.List<String> requests = java.util.Arrays.stream(
                            proxy.received().split("\r\n\r\n"))
                    .filter(part -> part.matches("(?s)^(GET|PUT|POST|HEAD|DELETE) .*"))
                    .toList();

            assertThat(requests)
                    .isNotEmpty()
                    .allSatisfy(request -> assertThat(request)
                            .containsIgnoringCase("\r\nX-elastic-product-origin: fleet")
                            .contains(
                                    "\r\nAuthorization: Bearer " + admin.node().serviceToken()));
        }
    }

    @Test
    void withSeveralHostsADeadOneIsPassedOver() {
        String hosts = "http://127.0.0.1:" + dev.fleetserver.testsupport.FreePorts.closed() + "', '"
                + admin.node().httpUri();
        try (RunningServer twoHosts = RunningServer.start(TestConfigs.load(
                TestConfigs.yaml(hosts, "service_token: ${TOKEN}", ""),
                Map.of("TOKEN", admin.node().serviceToken())))) {
            twoHosts.awaitHealthy();
            assertThat(http.get(twoHosts.agent("/api/status")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anElasticsearchOlderThanTheServerIsRefusedWithOneClearLine(CapturedOutput output) throws Exception {
        String yaml = TestConfigs.yaml(admin.node().httpUri().toString(), "service_token: ${TOKEN}", "")
                .replace("      port: 0\n", "      port: 0\n      version: 9.6.0\n");
        try (RunningServer newer = RunningServer.start(
                TestConfigs.load(yaml, Map.of("TOKEN", admin.node().serviceToken())))) {
            Thread.sleep(Duration.ofSeconds(4));

            assertThat(newer.state()).isEqualTo(HealthState.STARTING);
            assertThat(output.getOut()
                            .lines()
                            .filter(line ->
                                    line.contains("Elasticsearch 9.5.0 is older than this Fleet Server (9.6.0)")))
                    .hasSize(1);
        }
    }

    private static int notReadyLines(CapturedOutput output) {
        return (int) output.getOut()
                .lines()
                .filter(line -> line.contains("Fleet Server is not ready"))
                .count();
    }
}
