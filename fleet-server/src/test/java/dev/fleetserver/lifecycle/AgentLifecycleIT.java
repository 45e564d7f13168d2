package dev.fleetserver.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestConfigs;
import dev.fleetserver.testsupport.TestStore;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent's life against a real node, through a real socket: enrollment, the first POLICY_CHANGE with working
 * output credentials, acks, quiet long polls, new revisions and actions while a poll is held.
 */
@ExtendWith(NoSecretsInLogs.class)
class AgentLifecycleIT {

    private static RunningServer server;
    private static KibanaSide kibana;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config(TestConfigs.SHORT_POLLS))
                .awaitHealthy();
        kibana = TestStore.current().kibana(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String newPolicy() {
        return kibana.createPolicy("policy-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private static SimulatedAgent enrolledAgent(String policyId) {
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        assertThat(agent.enroll(kibana.createEnrollmentToken(policyId)).statusCode())
                .isEqualTo(200);
        return agent;
    }

    @Test
    void enrollThenPolicyWithAWorkingOutputKeyThenAckThenAQuietPoll() {
        String policyId = newPolicy();
        SimulatedAgent agent = enrolledAgent(policyId);

        SimulatedAgent.Checkin first = agent.checkin();
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.actionIds()).containsExactly("policy:" + policyId + ":1");
        ObjectNode policyChange = first.actions().getFirst();
        assertThat(policyChange.path("agent_id").asString()).isEqualTo(agent.agentId());
        assertThat(policyChange.path("input_type").asString()).isEmpty();
        assertThat(first.ackToken()).isEmpty();
        JsonNode policy = policyChange.path("data").path("policy");
        assertThat(policy.path("id").asString()).isEqualTo(policyId);
        assertThat(policy.path("revision").asLong()).isEqualTo(1);
        String outputKey =
                policy.path("outputs").path("default").path("api_key").asString();
        assertThat(outputKey).matches("[^:]+:[^:]+");
        assertThat(kibana.authenticates(outputKey))
                .as("the delivered output key authenticates")
                .isTrue();

        ObjectNode stored = kibana.agentDocument(agent.agentId());
        assertThat(stored.path("outputs").path("default").path("api_key_id").asString())
                .isEqualTo(outputKey.split(":")[0]);
        assertThat(stored.path("outputs")
                        .path("default")
                        .path("permissions_hash")
                        .asString())
                .hasSize(64);
        // Keys are created without a refresh: listing them may lag a moment behind authenticating with them.
        JsonNode key = await().atMost(Duration.ofSeconds(10))
                .until(() -> kibana.apiKey(outputKey.split(":")[0]), k -> k != null);
        assertThat(key.path("name").asString()).isEqualTo(agent.agentId() + ":default");
        assertThat(key.path("metadata").path("type").asString()).isEqualTo("output");
        assertThat(key.path("metadata").path("output_name").asString()).isEqualTo("default");

        agent.apply(policyChange);
        assertThat(agent.ack(policyChange).statusCode()).isEqualTo(200);
        assertThat(kibana.agentDocument(agent.agentId())
                        .path("policy_revision_idx")
                        .asLong())
                .isEqualTo(1);

        SimulatedAgent.Checkin quiet = agent.checkin();
        assertThat(quiet.status()).isEqualTo(200);
        assertThat(quiet.actions()).isEmpty();
        assertThat(quiet.body().has("actions")).isFalse();
        assertThat(quiet.body().path("ack_token").asString()).isEmpty();
        assertThat(quiet.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aRevisionWrittenWhileACheckinIsHeldIsDeliveredWithinSeconds() throws Exception {
        String policyId = newPolicy();
        SimulatedAgent agent = enrolledAgent(policyId);
        ObjectNode first = agent.checkin().actions().getFirst();
        agent.apply(first);
        agent.ack(first);

        var held = agent.checkinAsync();
        Thread.sleep(500);
        long revision = kibana.newRevision(
                policyId, data -> data.withObjectProperty("agent").put("download_timeout", "2h"));

        SimulatedAgent.Checkin delivered = held.get();
        assertThat(delivered.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
        assertThat(delivered.elapsed()).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void anActionWrittenWhileACheckinIsHeldIsDeliveredAndNotRepeatedAfterItsToken() throws Exception {
        String policyId = newPolicy();
        SimulatedAgent agent = enrolledAgent(policyId);
        ObjectNode first = agent.checkin().actions().getFirst();
        agent.apply(first);
        agent.ack(first);

        var held = agent.checkinAsync();
        Thread.sleep(500);
        var settings = kibana.createAction(
                "SETTINGS",
                List.of(agent.agentId()),
                action -> action.withObjectProperty("data").put("log_level", "debug"));

        SimulatedAgent.Checkin delivered = held.get();
        assertThat(delivered.actionIds()).containsExactly(settings.actionId());
        assertThat(delivered.ackToken()).isEqualTo(settings.id());
        assertThat(delivered.actions().getFirst().path("data").path("log_level").asString())
                .isEqualTo("debug");
        assertThat(agent.ack(delivered.actions().getFirst()).statusCode()).isEqualTo(200);
        assertThat(kibana.actionResults(settings.actionId())).hasSize(1);

        SimulatedAgent.Checkin next = agent.checkin();
        assertThat(next.actions()).isEmpty();
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(kibana.agentDocument(agent.agentId())
                                .path("action_seq_no")
                                .get(0)
                                .asLong())
                        .isEqualTo(settings.seqNo()));
    }
}
