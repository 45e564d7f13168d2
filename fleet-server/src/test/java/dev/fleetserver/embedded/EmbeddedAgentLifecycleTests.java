package dev.fleetserver.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.health.HealthState;
import dev.fleetserver.testsupport.EmbeddedFleet;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent's life on a server without Elasticsearch, through a real socket: the store is the embedded one in a
 * temporary {@code path.data}; the policy, enrollment token and actions are written through the server's own
 * storage ports (as the management API will), and the agent cannot tell the difference.
 */
@ExtendWith(NoSecretsInLogs.class)
class EmbeddedAgentLifecycleTests {

    @TempDir
    Path data;

    private RunningServer start() {
        return RunningServer.start(TestConfigs.embedded(data, TestConfigs.SHORT_POLLS))
                .awaitState(HealthState.HEALTHY, Duration.ofSeconds(30));
    }

    @Test
    void enrollCheckinPolicyAckQuietPollActionAndAck() throws Exception {
        try (RunningServer server = start()) {
            EmbeddedFleet fleet = new EmbeddedFleet(server);
            String policyId =
                    fleet.createPolicy("policy-" + UUID.randomUUID().toString().substring(0, 8));
            SimulatedAgent agent = new SimulatedAgent(server.agentUri());

            assertThat(agent.enroll(fleet.createEnrollmentToken(policyId)).statusCode())
                    .isEqualTo(200);
            assertThat(agent.accessApiKey()).isNotBlank();

            SimulatedAgent.Checkin first = agent.checkin();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.actionIds()).containsExactly("policy:" + policyId + ":1");
            ObjectNode policyChange = first.actions().getFirst();
            JsonNode output =
                    policyChange.path("data").path("policy").path("outputs").path("default");
            assertThat(output.path("api_key").asString())
                    .as("an output with its own credentials is delivered as the policy gives it")
                    .isEqualTo(EmbeddedFleet.PRESET_OUTPUT_KEY);
            assertThat(fleet.agent(agent.agentId()).outputs())
                    .as("no output key was minted")
                    .isEmpty();

            agent.apply(policyChange);
            assertThat(agent.ack(policyChange).statusCode()).isEqualTo(200);
            assertThat(fleet.agent(agent.agentId()).policyRevisionIdx()).isEqualTo(1);

            SimulatedAgent.Checkin quiet = agent.checkin();
            assertThat(quiet.status()).isEqualTo(200);
            assertThat(quiet.actions()).isEmpty();
            assertThat(quiet.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));

            var held = agent.checkinAsync();
            Thread.sleep(500);
            var settings = fleet.createAction("SETTINGS", List.of(agent.agentId()));
            SimulatedAgent.Checkin delivered = held.get();
            assertThat(delivered.actionIds()).containsExactly(settings.actionId());
            assertThat(delivered.ackToken()).isEqualTo(settings.id());
            assertThat(agent.ack(delivered.actions().getFirst()).statusCode()).isEqualTo(200);
            assertThat(fleet.actionResults(settings.actionId())).hasSize(1);

            assertThat(agent.checkin().actions())
                    .as("not delivered again after its token")
                    .isEmpty();
        }
    }

    @Test
    void aRevisionWrittenWhileACheckinIsHeldIsDeliveredAtOnce() throws Exception {
        try (RunningServer server = start()) {
            EmbeddedFleet fleet = new EmbeddedFleet(server);
            String policyId =
                    fleet.createPolicy("policy-" + UUID.randomUUID().toString().substring(0, 8));
            SimulatedAgent agent = new SimulatedAgent(server.agentUri());
            agent.enroll(fleet.createEnrollmentToken(policyId));
            ObjectNode first = agent.checkin().actions().getFirst();
            agent.apply(first);
            agent.ack(first);

            var held = agent.checkinAsync();
            Thread.sleep(500);
            long revision = fleet.newRevision(
                    policyId, data -> data.withObjectProperty("agent").put("download_timeout", "2h"));

            SimulatedAgent.Checkin delivered = held.get();
            assertThat(delivered.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
        }
    }

    @Test
    void aPolicyOfHundredsOfKilobytesArrivesWholeCompressedOrNot() throws Exception {
        // The agent listener writes through small socket and response buffers (ConnectionTrackingProtocol): a
        // large answer takes many writes and must still arrive complete.
        var random = new java.security.SecureRandom();
        var blob = new StringBuilder();
        while (blob.length() < 400_000) {
            blob.append(Long.toHexString(random.nextLong()));
        }
        String value = blob.toString();
        try (RunningServer server = start()) {
            EmbeddedFleet fleet = new EmbeddedFleet(server);
            String policyId =
                    fleet.createPolicy("policy-" + UUID.randomUUID().toString().substring(0, 8));
            SimulatedAgent agent = new SimulatedAgent(server.agentUri());
            agent.enroll(fleet.createEnrollmentToken(policyId));
            ObjectNode first = agent.checkin().actions().getFirst();
            agent.apply(first);
            agent.ack(first);

            var held = agent.checkinAsync();
            Thread.sleep(500);
            long revision = fleet.newRevision(
                    policyId, data -> data.withObjectProperty("agent").put("large_setting", value));

            SimulatedAgent.Checkin delivered = held.get();
            assertThat(delivered.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
            assertThat(delivered
                            .actions()
                            .getFirst()
                            .at("/data/policy/agent/large_setting")
                            .asString())
                    .as("gzip-compressed answer to a held checkin")
                    .isEqualTo(value);

            SimulatedAgent other = new SimulatedAgent(server.agentUri());
            other.enroll(fleet.createEnrollmentToken(policyId));
            var plain = other.checkinRaw(
                    other.checkinBody().toString().getBytes(StandardCharsets.UTF_8), false, "Accept-Encoding", null);
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(Http.json(plain)
                            .at("/actions/0/data/policy/agent/large_setting")
                            .asString())
                    .as("uncompressed answer")
                    .isEqualTo(value);
        }
    }

    @Test
    void afterARestartOnTheSameDataTheAgentStillAuthenticatesAndNothingIsDeliveredTwice() {
        SimulatedAgent agent;
        String policyId = "policy-" + UUID.randomUUID().toString().substring(0, 8);
        String token;
        String settingsId;
        ObjectNode policyChange;
        try (RunningServer server = start()) {
            EmbeddedFleet fleet = new EmbeddedFleet(server);
            fleet.createPolicy(policyId);
            token = fleet.createEnrollmentToken(policyId);
            agent = new SimulatedAgent(server.agentUri());
            agent.enroll(token);
            policyChange = agent.checkin().actions().getFirst();
            agent.apply(policyChange);
            agent.ack(policyChange);
            var settings = fleet.createAction("SETTINGS", List.of(agent.agentId()));
            settingsId = settings.actionId();
            SimulatedAgent.Checkin withAction = agent.checkin();
            assertThat(withAction.actionIds()).containsExactly(settingsId);
            agent.ack(withAction.actions().getFirst());
        }

        try (RunningServer restarted = start()) {
            SimulatedAgent same = new SimulatedAgent(restarted.agentUri())
                    .agentId(agent.agentId())
                    .accessApiKey(agent.accessApiKey())
                    .ackToken(agent.ackToken());
            same.apply(policyChange);

            SimulatedAgent.Checkin checkin = same.checkin();

            assertThat(checkin.status())
                    .as("the access key survived the restart")
                    .isEqualTo(200);
            assertThat(checkin.actions())
                    .as("neither the policy nor the action is delivered again")
                    .isEmpty();
            EmbeddedFleet fleet = new EmbeddedFleet(restarted);
            assertThat(fleet.actionResults(settingsId)).hasSize(1);
            assertThat(new SimulatedAgent(restarted.agentUri()).enroll(token).statusCode())
                    .as("the enrollment token too")
                    .isEqualTo(200);
        }
    }
}
