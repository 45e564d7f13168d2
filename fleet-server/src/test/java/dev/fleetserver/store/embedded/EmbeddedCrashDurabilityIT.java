package dev.fleetserver.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.apikey.CreatedApiKey;
import dev.fleetserver.testsupport.EmbeddedFleet;
import dev.fleetserver.testsupport.FleetServerProcess;
import dev.fleetserver.testsupport.FreePorts;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.Secrets;
import dev.fleetserver.testsupport.SimulatedAgent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code kill -9} during a stream of enrollments and acks: every request that was answered 200 is in the store
 * afterwards, and the server starts again on the same data.
 */
class EmbeddedCrashDurabilityIT {

    private static final int CLIENTS = 8;

    @TempDir
    Path work;

    @Test
    void everyAnsweredEnrollmentAndAckSurvivesAKill() throws Exception {
        Path data = work.resolve("data");
        String token = seed(data);
        int port = FreePorts.closed();
        Path config = Files.writeString(work.resolve("fleet-server.yml"), """
                path.data: '%s'
                inputs:
                  - type: fleet-server
                    server:
                      host: 127.0.0.1
                      port: %d
                      timeouts: {checkin_long_poll: 4s, checkin_jitter: 0s}
                logging: {to_stderr: true, level: info}
                """.formatted(data, port));
        URI base = URI.create("http://127.0.0.1:" + port);

        Set<String> enrolled = ConcurrentHashMap.newKeySet();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        try (FleetServerProcess server = FleetServerProcess.startIn(work, Map.of(), "-c", config.toString())) {
            awaitHealthy(base);
            AtomicBoolean stop = new AtomicBoolean();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CLIENTS; i++) {
                    clients.submit(() -> enrollAndAckUntilStopped(base, token, stop, enrolled, acked));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 40);
                server.kill();
                stop.set(true);
            }
        }

        try (EmbeddedFixture store = EmbeddedFixture.open(data)) {
            for (String agentId : enrolled) {
                assertThat(store.agents().findById(agentId))
                        .as("agent %s was answered 200", agentId)
                        .isPresent();
            }
            for (String agentId : acked) {
                assertThat(store.agents().findById(agentId).orElseThrow().policyRevisionIdx())
                        .as("the ack of agent %s was answered 200", agentId)
                        .isEqualTo(1);
            }
        }
        try (FleetServerProcess restarted = FleetServerProcess.startIn(work, Map.of(), "-c", config.toString())) {
            awaitHealthy(base);
            assertThat(new SimulatedAgent(base).enroll(token).statusCode()).isEqualTo(200);
        }
    }

    /** A policy and an enrollment token, written into the store before the server first starts. */
    private static String seed(Path data) {
        try (EmbeddedFixture store = EmbeddedFixture.open(data)) {
            ObjectNode revision = Http.JSON.createObjectNode();
            revision.put("policy_id", "crash-policy");
            revision.put("revision_idx", 1);
            revision.put("@timestamp", "2026-01-01T00:00:00Z");
            revision.set("data", EmbeddedFleet.presetOutputPolicyData("crash-policy"));
            store.policies().addRevision(revision);
            CreatedApiKey key =
                    store.apiKeys().create("enroll", Http.JSON.createObjectNode(), Http.JSON.createObjectNode());
            store.enrollmentKeys()
                    .create(
                            "crash-token",
                            Http.JSON
                                    .createObjectNode()
                                    .put("active", true)
                                    .put("api_key_id", key.id())
                                    .put("policy_id", "crash-policy"));
            Secrets.register(key.secret());
            return Secrets.register(key.token());
        }
    }

    private static void enrollAndAckUntilStopped(
            URI base, String token, AtomicBoolean stop, Set<String> enrolled, Set<String> acked) {
        while (!stop.get()) {
            try {
                SimulatedAgent agent = new SimulatedAgent(base).requestTimeout(Duration.ofSeconds(10));
                if (agent.enroll(token).statusCode() != 200) {
                    continue;
                }
                enrolled.add(agent.agentId());
                List<ObjectNode> actions = new ArrayList<>(agent.checkin().actions());
                if (actions.isEmpty()) {
                    continue;
                }
                agent.apply(actions.getFirst());
                if (agent.ack(actions.getFirst()).statusCode() == 200) {
                    acked.add(agent.agentId());
                }
            } catch (RuntimeException | AssertionError e) {
                // the server was killed mid-request: that request got no 200
            }
        }
    }

    private static void awaitHealthy(URI base) {
        Http http = Http.plain();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(300))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(
                                http.get(URI.create(base + "/api/status")).statusCode())
                        .isEqualTo(200));
    }
}
