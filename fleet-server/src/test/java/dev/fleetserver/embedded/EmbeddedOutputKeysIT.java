package dev.fleetserver.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.health.HealthState;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.EmbeddedFleet;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Outputs on the embedded store, where there is no fleet Elasticsearch: an {@code elasticsearch} output that
 * carries a {@code service_token} gets each agent's key in its own cluster (here the test node), and the token
 * never reaches the agent; one without is delivered with the credentials the policy gives it.
 */
@ExtendWith(NoSecretsInLogs.class)
class EmbeddedOutputKeysIT {

    private static final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static final SimulatedKibana cluster = new SimulatedKibana(admin);

    @TempDir
    static Path data;

    private static RunningServer server;
    private static EmbeddedFleet fleet;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.embedded(data, TestConfigs.SHORT_POLLS))
                .awaitState(HealthState.HEALTHY, Duration.ofSeconds(30));
        fleet = new EmbeddedFleet(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Kibana's policy for the test node, its output given the node's service token, plus an output with a preset key. */
    private static String policyWithTokenOutput() {
        String policyId = "policy-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode data = cluster.defaultPolicyData(policyId);
        ObjectNode outputs = data.withObjectProperty("outputs");
        outputs.withObjectProperty("default").put("service_token", admin.node().serviceToken());
        outputs.putObject("preset")
                .put("type", "elasticsearch")
                .put("api_key", EmbeddedFleet.PRESET_OUTPUT_KEY)
                .putArray("hosts")
                .add(admin.node().httpUri().toString());
        return fleet.createPolicy(policyId, data);
    }

    @Test
    void anOutputWithATokenGetsAKeyInItsClusterAndTheTokenIsNotDelivered() {
        String policyId = policyWithTokenOutput();
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        assertThat(agent.enroll(fleet.createEnrollmentToken(policyId)).statusCode())
                .isEqualTo(200);

        ObjectNode policyChange = agent.checkin().actions().getFirst();
        JsonNode outputs = policyChange.path("data").path("policy").path("outputs");

        JsonNode output = outputs.path("default");
        assertThat(output.path("type").asString()).isEqualTo("elasticsearch");
        assertThat(output.has("service_token")).isFalse();
        assertThat(policyChange.toString()).doesNotContain(admin.node().serviceToken());
        String key = output.path("api_key").asString();
        assertThat(cluster.authenticates(key))
                .as("the key works in the output's cluster")
                .isTrue();
        JsonNode created =
                await().atMost(Duration.ofSeconds(10)).until(() -> cluster.apiKey(key.split(":")[0]), k -> k != null);
        assertThat(created.path("name").asString()).isEqualTo(agent.agentId() + ":default");
        assertThat(created.path("metadata").path("type").asString()).isEqualTo("output");
        Agent stored = fleet.agent(agent.agentId());
        assertThat(stored.output("default").orElseThrow().apiKeyId()).isEqualTo(key.split(":")[0]);

        assertThat(outputs.path("preset").path("api_key").asString())
                .as("an output with its own credentials is delivered untouched")
                .isEqualTo(EmbeddedFleet.PRESET_OUTPUT_KEY);
        assertThat(stored.outputs()).containsOnlyKeys("default");
        assertThat(cluster.authenticates(agent.accessApiKey()))
                .as("the access key lives in the embedded store, not in Elasticsearch")
                .isFalse();

        agent.apply(policyChange);
        assertThat(agent.ack(policyChange).statusCode()).isEqualTo(200);
        var unenroll = fleet.createAction("UNENROLL", List.of(agent.agentId()));
        ObjectNode action = agent.checkin().actions().getFirst();
        assertThat(action.path("id").asString()).isEqualTo(unenroll.actionId());
        assertThat(agent.ack(action).statusCode()).isEqualTo(200);

        assertThat(cluster.authenticates(key))
                .as("the output key is invalidated at unenrollment")
                .isFalse();
        assertThat(agent.checkin().status()).as("the access key too").isEqualTo(401);
    }

    @Test
    void aSecondCheckinReusesTheKeyAndANewRevisionWithOtherPermissionsUpdatesIt() throws Exception {
        String policyId = policyWithTokenOutput();
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        agent.enroll(fleet.createEnrollmentToken(policyId));
        ObjectNode first = agent.checkin().actions().getFirst();
        String key = first.path("data")
                .path("policy")
                .path("outputs")
                .path("default")
                .path("api_key")
                .asString();
        agent.apply(first);
        agent.ack(first);
        // Keys are created without a refresh: Elasticsearch updates one only once it lists it.
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.apiKey(key.split(":")[0]), k -> k != null);

        var held = agent.checkinAsync();
        Thread.sleep(500);
        fleet.newRevision(
                policyId,
                data -> data.withObjectProperty("output_permissions")
                        .withObjectProperty("default")
                        .putObject("extra")
                        .putArray("cluster")
                        .add("monitor"));
        ObjectNode second = held.get().actions().getFirst();

        assertThat(second.path("data")
                        .path("policy")
                        .path("outputs")
                        .path("default")
                        .path("api_key")
                        .asString())
                .as("the same key, its permissions updated in place")
                .isEqualTo(key);
        JsonNode roles = cluster.apiKey(key.split(":")[0]).path("role_descriptors");
        assertThat(roles.has("extra")).isTrue();
    }
}
