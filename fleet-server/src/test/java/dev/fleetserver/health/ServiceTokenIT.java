package dev.fleetserver.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The service token: read from a file, refused, or revoked while the server runs. */
@ExtendWith({NoSecretsInLogs.class, OutputCaptureExtension.class})
class ServiceTokenIT {

    private final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private final Http http = Http.plain();

    @Test
    void theTokenIsReadFromServiceTokenPath(@TempDir Path dir) throws Exception {
        Path token =
                Files.writeString(dir.resolve("service-token"), admin.node().serviceToken() + "\n");

        try (var server = RunningServer.start(TestConfigs.load(
                        TestConfigs.yaml(admin.node().httpUri().toString(), "service_token_path: " + token, ""),
                        Map.of()))
                .awaitHealthy()) {
            assertThat(http.get(server.agent("/api/status")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aWrongTokenMeansNotReadyOneClearLineAndNoCrash(CapturedOutput output) throws Exception {
        try (var server = RunningServer.start(TestConfigs.load(
                TestConfigs.yaml(admin.node().httpUri().toString(), "service_token: ${TOKEN}", ""),
                Map.of("TOKEN", "AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3dyb25nOndyb25nLXRva2VuLXZhbHVl")))) {
            Thread.sleep(Duration.ofSeconds(6)); // several attempts with backoff

            assertThat(server.state()).isEqualTo(HealthState.STARTING);
            assertThat(http.get(server.agent("/api/status")).statusCode()).isEqualTo(503);
            assertThat(output.getOut().lines().filter(line -> line.contains("refused the service token")))
                    .hasSize(1);
            assertThat(server.context().isActive()).isTrue();
        }
    }

    @Test
    void aRevokedTokenMakesARunningServerNotReadyWithoutACrash(CapturedOutput output) {
        String name = "revocable-" + UUID.randomUUID().toString().substring(0, 8);
        String token = admin.createServiceToken(name);

        try (var server = RunningServer.start(TestConfigs.load(
                        TestConfigs.yaml(admin.node().httpUri().toString(), "service_token: ${TOKEN}", ""),
                        Map.of("TOKEN", token)))
                .awaitHealthy()) {
            admin.deleteServiceToken(name);

            await().atMost(Duration.ofSeconds(60)).until(() -> server.state() == HealthState.DEGRADED);
            assertThat(http.get(server.agent("/api/status")).statusCode()).isEqualTo(503);
            assertThat(output.getOut().lines().filter(line -> line.contains("refused the service token")))
                    .hasSize(1);
            assertThat(server.context().isActive()).isTrue();
        }
    }
}
