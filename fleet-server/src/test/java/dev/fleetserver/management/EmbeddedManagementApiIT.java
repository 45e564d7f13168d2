package dev.fleetserver.management;

import dev.fleetserver.testsupport.ManagementClient;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TestConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The management API contract on the embedded store. */
@ExtendWith(NoSecretsInLogs.class)
class EmbeddedManagementApiIT extends ManagementApiContract {

    private static RunningServer server;

    @BeforeAll
    static void start() throws IOException {
        Path data = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "management-");
        server = RunningServer.start(TestConfigs.embedded(data, SERVER_YAML, ManagementClient.OPERATOR_KEYS_YAML))
                .awaitHealthy();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected RunningServer server() {
        return server;
    }
}
