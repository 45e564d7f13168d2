package dev.fleetserver.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testsupport.FleetServerProcess;
import dev.fleetserver.testsupport.FreePorts;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.SimulatedAgent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The packaged server with no {@code fleet-server.yml} at all, as the README's quick start runs it: the embedded
 * store in {@code ./data}, a default policy, and the enrollment token, the {@code elastic-agent enroll} line and an
 * operator key shown once on the console; an agent enrolls with that token and the key opens the management API,
 * also after a restart, which shows nothing secret again.
 */
class EmbeddedDefaultsIT {

    private static final Pattern ENROLL_LINE =
            Pattern.compile("elastic-agent enroll --url (https?://\\S+:(\\d+)) --enrollment-token (\\S+) --insecure");
    private static final Pattern OPERATOR_KEY = Pattern.compile("curl -H 'Authorization: (ApiKey \\S+)'");

    @TempDir
    Path workingDirectory;

    @Test
    void withoutAConfigurationFileTheServerRunsOnTheEmbeddedStoreAndShowsHowToEnroll() throws Exception {
        int port = FreePorts.closed();
        int managementPort = FreePorts.closed();
        // Only the ports are overridden, since 8220 and 8222 may be taken on a shared machine.
        String[] args = {"-E", "inputs[0].server.port=" + port, "-E", "fleet.management.port=" + managementPort};
        URI agentBase = URI.create("http://127.0.0.1:" + port);
        URI policies = URI.create("http://127.0.0.1:" + managementPort + "/api/fleet/agent_policies");
        Http http = Http.plain();
        String token;
        String operator;
        try (var process = FleetServerProcess.startShowingSecretsIn(workingDirectory, Map.of(), args)) {
            awaitHealthy(http, agentBase);
            assertThat(Http.json(http.get(agentBase.resolve("/api/status")))
                            .path("status")
                            .asString())
                    .isEqualTo("HEALTHY");
            assertThat(workingDirectory.resolve("data").resolve("fleet-server.db"))
                    .exists();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ENROLL_LINE.matcher(process.output()).find());
            String output = process.output();
            Matcher enroll = ENROLL_LINE.matcher(output);
            assertThat(enroll.find()).isTrue();
            assertThat(enroll.group(2)).isEqualTo(String.valueOf(port));
            token = enroll.group(3);
            Matcher key = OPERATOR_KEY.matcher(output);
            assertThat(key.find()).as("the operator key is shown").isTrue();
            operator = key.group(1);
            assertThat(output).doesNotContain("Exception");
            // Shown on the console, never in a log line.
            output.lines()
                    .filter(line -> line.startsWith("{"))
                    .forEach(line -> assertThat(line).doesNotContain(token).doesNotContain(secretOf(operator)));
            Path keyFile = workingDirectory.resolve("data").resolve("management-operator-key.json");
            assertThat(Files.readString(keyFile)).doesNotContain(secretOf(operator));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                    .isEqualTo("rw-------");

            SimulatedAgent agent = new SimulatedAgent(agentBase);
            assertThat(agent.enroll(token).statusCode()).isEqualTo(200);
            SimulatedAgent.Checkin checkin = agent.checkin();
            assertThat(checkin.actions("POLICY_CHANGE"))
                    .singleElement()
                    .satisfies(action -> assertThat(action.path("data")
                                    .path("policy")
                                    .path("id")
                                    .asString())
                            .isEqualTo("default-policy"));

            assertThat(http.get(policies).statusCode()).isEqualTo(401);
            JsonNode listed = Http.json(http.get(policies, "Authorization", operator));
            assertThat(listed.path("total").asInt()).isEqualTo(1);
            assertThat(listed.path("items").get(0).path("name").asString()).isEqualTo("Default policy");
        }
        assertThat(Files.exists(workingDirectory.resolve("data").resolve("fleet-server.db-wal")))
                .as("a clean shutdown checkpoints and removes the write-ahead log")
                .isFalse();

        try (var restarted = FleetServerProcess.startIn(workingDirectory, Map.of(), args)) {
            awaitHealthy(http, agentBase);
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> http.get(policies, "Authorization", operator).statusCode() == 200);
            assertThat(Http.json(http.get(policies, "Authorization", operator))
                            .path("total")
                            .asInt())
                    .as("no second default policy")
                    .isEqualTo(1);
            assertThat(restarted.output()).doesNotContain(token).doesNotContain(secretOf(operator));
        }
    }

    private static void awaitHealthy(Http http, URI agentBase) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(
                                http.get(agentBase.resolve("/api/status")).statusCode())
                        .isEqualTo(200));
    }

    private static String secretOf(String authorization) {
        String decoded = new String(java.util.Base64.getDecoder().decode(authorization.substring("ApiKey ".length())));
        return decoded.substring(decoded.indexOf(':') + 1);
    }
}
