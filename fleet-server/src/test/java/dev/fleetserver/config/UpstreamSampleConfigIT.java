package dev.fleetserver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.FleetServerProcess;
import dev.fleetserver.testsupport.FreePorts;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged server, run as operators run it, with a file in upstream's layout that sets every key of the
 * reference: it loads unchanged and serves. Only the addresses are overridden with {@code -E}, as upstream
 * allows, to point at the test node and free ports. The file asks for debug logging, so this also checks
 * that nothing secret is logged at debug.
 */
@ExtendWith(NoSecretsInLogs.class)
class UpstreamSampleConfigIT {

    private final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());

    @Test
    void aFileUsingEveryKeyStartsAServerThatBecomesHealthy() {
        int port = FreePorts.closed();
        int monitoringPort = FreePorts.closed();

        try (var process = FleetServerProcess.start(
                Map.of("FLEET_TEST_TOKEN", admin.node().serviceToken()),
                "-c",
                "src/test/resources/config/every-key.yml",
                "-E",
                "output.elasticsearch.hosts=" + admin.node().httpUri(),
                "-E",
                "output.elasticsearch.path=",
                "-E",
                "inputs[0].server.port=" + port,
                "-E",
                "http.port=" + monitoringPort,
                "-E",
                "fleet.management.port=0")) {
            Http http = Http.plain();
            URI status = URI.create("http://127.0.0.1:" + port + "/api/status");
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .untilAsserted(
                            () -> assertThat(http.get(status).statusCode()).isEqualTo(200));

            assertThat(Http.json(http.get(status)).path("status").asString()).isEqualTo("HEALTHY");
            assertThat(http.get(URI.create("http://127.0.0.1:" + monitoringPort + "/metrics"))
                            .body())
                    .contains("http_server_routes_status_total");
            assertThat(process.isAlive()).isTrue();
        }
    }
}
