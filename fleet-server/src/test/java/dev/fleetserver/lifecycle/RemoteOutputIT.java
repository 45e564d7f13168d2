package dev.fleetserver.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.FreePorts;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code remote_elasticsearch} outputs (algorithms §8.6, agent-api §21 item 68): the key is created in the
 * output's own cluster (here the same node, reached with the output's own hosts and token), the delivered output
 * becomes type {@code elasticsearch} without its service token, and a cluster that cannot be reached degrades
 * that output only.
 */
@ExtendWith(NoSecretsInLogs.class)
class RemoteOutputIT {

    private static final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static RunningServer server;
    private static SimulatedKibana kibana;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.forNode(admin.node(), TestConfigs.SHORT_POLLS))
                .awaitHealthy();
        kibana = new SimulatedKibana(admin, server.agentUri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String policyWithRemote(String hosts) {
        String policyId =
                kibana.createPolicy("remote-" + UUID.randomUUID().toString().substring(0, 8));
        kibana.newRevision(policyId, data -> {
            ObjectNode remote = data.withObjectProperty("outputs").putObject("remote");
            remote.put("type", "remote_elasticsearch");
            remote.putArray("hosts").add(hosts);
            remote.put("service_token", admin.node().serviceToken());
            data.withObjectProperty("output_permissions")
                    .set(
                            "remote",
                            data.path("output_permissions").path("default").deepCopy());
        });
        return policyId;
    }

    @Test
    void theKeyIsCreatedInTheRemoteClusterAndTheOutputIsDeliveredAsElasticsearch() {
        String policyId = policyWithRemote(admin.node().httpUri().toString());
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        agent.enroll(kibana.createEnrollmentToken(policyId));

        ObjectNode policyChange = agent.checkin().actions().getFirst();
        JsonNode remote =
                policyChange.path("data").path("policy").path("outputs").path("remote");

        assertThat(remote.path("type").asString()).isEqualTo("elasticsearch");
        assertThat(remote.has("service_token")).isFalse();
        String key = remote.path("api_key").asString();
        assertThat(kibana.authenticates(key)).isTrue();
        assertThat(key)
                .isNotEqualTo(policyChange
                        .path("data")
                        .path("policy")
                        .path("outputs")
                        .path("default")
                        .path("api_key")
                        .asString());
        JsonNode created = org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> kibana.apiKey(key.split(":")[0]), k -> k != null);
        assertThat(created.path("name").asString()).isEqualTo(agent.agentId() + ":remote");
        assertThat(healthStates("remote")).contains("HEALTHY");

        agent.apply(policyChange);
        agent.ack(policyChange);
        var unenroll = kibana.createAction("UNENROLL", java.util.List.of(agent.agentId()));
        ObjectNode action = agent.checkin().actions().getFirst();
        assertThat(action.path("id").asString()).isEqualTo(unenroll.actionId());
        agent.ack(action);
        assertThat(kibana.authenticates(key))
                .as("the remote key is invalidated at unenrollment")
                .isFalse();
    }

    @Test
    void anUnreachableRemoteClusterDegradesOnlyThatOutput() {
        String policyId = policyWithRemote("http://127.0.0.1:" + FreePorts.closed());
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        agent.enroll(kibana.createEnrollmentToken(policyId));

        SimulatedAgent.Checkin checkin = agent.checkin();

        assertThat(checkin.status()).isEqualTo(200);
        JsonNode outputs =
                checkin.actions().getFirst().path("data").path("policy").path("outputs");
        assertThat(outputs.path("remote").path("type").asString()).isEqualTo("elasticsearch");
        assertThat(outputs.path("remote").has("api_key")).isFalse();
        assertThat(kibana.authenticates(outputs.path("default").path("api_key").asString()))
                .isTrue();
        assertThat(healthStates("remote")).contains("DEGRADED");
    }

    private static java.util.List<String> healthStates(String output) {
        JsonNode hits = admin.json(
                        "POST",
                        "/logs-fleet_server.output_health-default/_search?size=100",
                        "{\"query\":{\"term\":{\"output\":\"" + output + "\"}}}")
                .path("hits")
                .path("hits");
        java.util.List<String> states = new java.util.ArrayList<>();
        hits.forEach(hit -> states.add(hit.path("_source").path("state").asString()));
        return states;
    }
}
