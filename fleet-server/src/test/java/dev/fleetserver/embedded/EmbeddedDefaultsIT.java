package dev.fleetserver.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testsupport.FleetServerProcess;
import dev.fleetserver.testsupport.FreePorts;
import dev.fleetserver.testsupport.Http;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged server with no {@code fleet-server.yml} at all: the embedded store in {@code ./data}, ready. */
class EmbeddedDefaultsIT {

    @TempDir
    Path workingDirectory;

    @Test
    void withoutAConfigurationFileTheServerRunsOnTheEmbeddedStoreAndIsHealthy() {
        int port = FreePorts.closed();
        // Only the port is overridden, since 8220 may be taken on a shared machine.
        try (var process =
                FleetServerProcess.startIn(workingDirectory, Map.of(), "-E", "inputs[0].server.port=" + port)) {
            URI status = URI.create("http://127.0.0.1:" + port + "/api/status");
            Http http = Http.plain();
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .untilAsserted(
                            () -> assertThat(http.get(status).statusCode()).isEqualTo(200));

            assertThat(Http.json(http.get(status)).path("status").asString()).isEqualTo("HEALTHY");
            assertThat(workingDirectory.resolve("data").resolve("fleet-server.db"))
                    .exists();
            assertThat(process.output()).doesNotContain("Exception");
        }
        assertThat(Files.exists(workingDirectory.resolve("data").resolve("fleet-server.db-wal")))
                .as("a clean shutdown checkpoints and removes the write-ahead log")
                .isFalse();
    }
}
