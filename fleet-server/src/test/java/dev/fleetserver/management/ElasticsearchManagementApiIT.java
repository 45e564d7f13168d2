package dev.fleetserver.management;

import static dev.fleetserver.testsupport.ManagementClient.json;
import static dev.fleetserver.testsupport.ManagementClient.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.ManagementClient;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.Secrets;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The management API on Elasticsearch: the shared contract, plus what it writes, which must be what Kibana writes
 * (data-model §5), so that a real Kibana and this API can manage the same fleet.
 */
@ExtendWith(NoSecretsInLogs.class)
class ElasticsearchManagementApiIT extends ManagementApiContract {

    private static final ElasticsearchAdmin es = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static RunningServer server;
    private static SimulatedKibana kibana;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.forNode(es.node(), SERVER_YAML, ManagementClient.OPERATOR_KEYS_YAML))
                .awaitHealthy();
        kibana = new SimulatedKibana(es, server.agentUri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected RunningServer server() {
        return server;
    }

    @Test
    void aPolicyRevisionIsTheDocumentKibanaWrites() {
        String policyId = createPolicy(",'monitoring_enabled':['logs'],'unenroll_timeout':600");
        ok(admin().put(
                        "/api/fleet/agent_policies/" + policyId,
                        json("{'name':'p " + policyId + "','namespace':'default','description':'second'}")));

        List<ObjectNode> revisions = kibana.policyDocuments(policyId);

        assertThat(revisions).extracting(d -> d.path("revision_idx").asLong()).containsExactly(1L, 2L);
        ObjectNode latest = revisions.getLast();
        assertThat(latest.path("policy_id").asString()).isEqualTo(policyId);
        assertThat(latest.path("coordinator_idx").asLong()).isZero();
        assertThat(latest.path("default_fleet_server").asBoolean(true)).isFalse();
        assertThat(latest.path("namespaces")).extracting(JsonNode::asString).containsExactly("default");
        assertThat(latest.path("unenroll_timeout").asLong()).isEqualTo(600);
        assertThat(Instant.parse(latest.path("@timestamp").asString()))
                .isBefore(Instant.now().plusSeconds(1));
        JsonNode data = latest.path("data");
        assertThat(data.path("id").asString()).isEqualTo(policyId);
        assertThat(data.path("revision").asLong()).isEqualTo(2);
        assertThat(data.path("outputs").path("default").path("type").asString()).isEqualTo("elasticsearch");
        assertThat(data.path("outputs").path("default").path("hosts").get(0).asString())
                .isEqualTo(es.node().httpUri().toString());
        assertThat(data.path("output_permissions")
                        .path("default")
                        .path("_elastic_agent_checks")
                        .path("cluster"))
                .extracting(JsonNode::asString)
                .containsExactly("monitor");
        assertThat(data.path("output_permissions")
                        .path("default")
                        .path("_elastic_agent_monitoring")
                        .path("indices")
                        .get(0)
                        .path("names"))
                .extracting(JsonNode::asString)
                .contains("logs-elastic_agent-default");
        assertThat(data.path("agent").path("monitoring").path("use_output").asString())
                .isEqualTo("default");
        assertThat(data.path("inputs").isArray()).isTrue();
        // The policy's own attributes, which Kibana keeps in saved objects, ride along in a field of ours.
        assertThat(latest.path("agent_policy").path("description").asString()).isEqualTo("second");
        assertThat(latest.path("agent_policy").path("revision").asLong()).isEqualTo(2);
    }

    @Test
    void aPolicyWrittenByKibanaIsListedUnderItsIdAndCanBeUpdated() {
        String policyId =
                kibana.createPolicy("kibana-" + UUID.randomUUID().toString().substring(0, 8));

        JsonNode item = ok(admin().get("/api/fleet/agent_policies/" + policyId)).path("item");
        assertThat(item.path("name").asString()).isEqualTo(policyId);
        assertThat(item.path("revision").asLong()).isEqualTo(1);
        assertThat(item.path("inactivity_timeout").asLong()).isEqualTo(1_209_600);

        SimulatedAgent agent = ready(policyId);
        var held = hold(agent);
        ok(admin().put(
                        "/api/fleet/agent_policies/" + policyId,
                        json("{'name':'adopted " + policyId + "','namespace':'default'}")));
        JsonNode policy =
                get(held).actions("POLICY_CHANGE").getFirst().path("data").path("policy");
        assertThat(policy.path("revision").asLong()).isEqualTo(2);
        assertThat(policy.path("inputs").get(0).path("type").asString())
                .as("Kibana's content is kept")
                .isEqualTo("logfile");
    }

    @Test
    void anEnrollmentKeyIsAnElasticsearchApiKeyWithKibanasRecord() {
        String policyId = createPolicy("");
        JsonNode item = ok(admin().post(
                                "/api/fleet/enrollment_api_keys",
                                json("{'policy_id':'" + policyId + "','name':'lab'}")))
                .path("item");
        String token = Secrets.register(item.path("api_key").asString());
        String apiKeyId = SimulatedKibana.apiKeyId(token);

        ObjectNode record = kibana.enrollmentKeyRecords(apiKeyId).getFirst();
        assertThat(record.path("_id").asString()).isEqualTo(item.path("id").asString());
        assertThat(record.path("active").asBoolean()).isTrue();
        assertThat(record.path("api_key").asString()).isEqualTo(token);
        assertThat(record.path("name").asString()).isEqualTo(item.path("name").asString());
        assertThat(record.path("policy_id").asString()).isEqualTo(policyId);
        assertThat(record.path("namespaces")).extracting(JsonNode::asString).containsExactly("default");
        assertThat(record.path("hidden").asBoolean(true)).isFalse();
        assertThat(record.has("created_at")).isTrue();
        ObjectNode key = await().atMost(Duration.ofSeconds(10)).until(() -> kibana.apiKey(apiKeyId), k -> k != null);
        assertThat(key.path("metadata").path("type").asString()).isEqualTo("enroll");
        assertThat(key.path("metadata").path("managed_by").asString()).isEqualTo("fleet");
        assertThat(key.path("metadata").path("policy_id").asString()).isEqualTo(policyId);
        assertThat(key.path("role_descriptors").has("fleet-apikey-enroll")).isTrue();

        ok(admin().delete("/api/fleet/enrollment_api_keys/" + item.path("id").asString()));

        assertThat(kibana.apiKey(apiKeyId).path("invalidated").asBoolean()).isTrue();
        assertThat(kibana.authenticates(token)).isFalse();
        assertThat(kibana.enrollmentKeyRecords(apiKeyId)
                        .getFirst()
                        .path("active")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void actionsAreTheDocumentsKibanaWrites() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);
        String other = createPolicy("");

        ok(admin().post("/api/fleet/agents/" + agent.agentId() + "/reassign", json("{'policy_id':'" + other + "'}")));

        ObjectNode document = kibana.agentDocument(agent.agentId());
        assertThat(document.path("policy_id").asString()).isEqualTo(other);
        assertThat(document.path("policy_base_id").asString()).isEqualTo(other);
        assertThat(document.get("policy_revision_idx").isNull()).isTrue();
        ObjectNode reassign = checkinUntil(agent, "POLICY_REASSIGN");
        ObjectNode stored =
                kibana.actionDocuments(reassign.path("id").asString()).getFirst();
        assertThat(stored.path("type").asString()).isEqualTo("POLICY_REASSIGN");
        assertThat(stored.path("agents")).extracting(JsonNode::asString).containsExactly(agent.agentId());
        assertThat(stored.path("data").path("policy_id").asString()).isEqualTo(other);
        assertThat(stored.path("namespaces")).extracting(JsonNode::asString).containsExactly("default");
        Instant created = Instant.parse(stored.path("@timestamp").asString());
        Instant expires = Instant.parse(stored.path("expiration").asString());
        assertThat(Duration.between(created, expires)).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void revokingAnAgentInvalidatesItsKeysInElasticsearch() {
        String policyId = createPolicy("");
        SimulatedAgent agent = ready(policyId);
        String accessKey = agent.accessApiKey();

        ok(admin().post("/api/fleet/agents/" + agent.agentId() + "/unenroll", json("{'revoke':true}")));

        assertThat(kibana.authenticates(accessKey)).isFalse();
        ObjectNode document = kibana.agentDocument(agent.agentId());
        assertThat(document.path("active").asBoolean(true)).isFalse();
        assertThat(document.has("unenrolled_at")).isTrue();
    }
}
