package dev.fleetserver.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Kibana fixture against a real node: what it writes is where, and in the shape, the server reads it
 * (data-model §5.2, §5.3, §5.5, §5.7). A server is started only so that the {@code .fleet-*} indices exist with
 * their mappings.
 */
@ExtendWith(NoSecretsInLogs.class)
class SimulatedKibanaIT {

    private static final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static RunningServer server;
    private static SimulatedKibana kibana;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.forNode(admin.node())).awaitHealthy();
        kibana = new SimulatedKibana(admin, server.agentUri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @Test
    void everyRevisionIsANewPolicyDocument() {
        String policyId = kibana.createPolicy(unique("pol"));

        long revision = kibana.newRevision(
                policyId, data -> data.putObject("agent").putObject("logging").put("level", "debug"));

        assertThat(revision).isEqualTo(2);
        List<ObjectNode> documents = kibana.policyDocuments(policyId);
        assertThat(documents).extracting(d -> d.path("revision_idx").asLong()).containsExactly(1L, 2L);
        assertThat(documents.get(0).path("_id").asString())
                .isNotEqualTo(documents.get(1).path("_id").asString());
        ObjectNode first = documents.get(0);
        assertThat(first.path("policy_id").asString()).isEqualTo(policyId);
        assertThat(first.path("coordinator_idx").asInt()).isZero();
        assertThat(first.path("default_fleet_server").asBoolean()).isFalse();
        assertThat(first.path("namespaces").get(0).asString()).isEqualTo("default");
        assertThat(first.path("@timestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        JsonNode data = first.path("data");
        assertThat(data.path("id").asString()).isEqualTo(policyId);
        assertThat(data.path("revision").asLong()).isEqualTo(1);
        assertThat(data.path("outputs").path("default").path("type").asString()).isEqualTo("elasticsearch");
        assertThat(data.path("outputs").path("default").path("hosts").get(0).asString())
                .isEqualTo(admin.node().httpUri().toString());
        assertThat(data.path("output_permissions")
                        .path("default")
                        .path("_elastic_agent_checks")
                        .path("cluster")
                        .get(0)
                        .asString())
                .isEqualTo("monitor");
        assertThat(data.path("fleet").path("hosts").get(0).asString())
                .isEqualTo(server.agentUri().toString());
        assertThat(data.path("inputs").get(0).path("type").asString()).isEqualTo("logfile");
        assertThat(data.path("agent").path("logging").isMissingNode()).isTrue();

        ObjectNode latest = kibana.latestPolicyData(policyId);
        assertThat(latest.path("revision").asLong()).isEqualTo(2);
        assertThat(latest.path("agent").path("logging").path("level").asString())
                .isEqualTo("debug");
        assertThat(latest.path("outputs")).isEqualTo(data.path("outputs"));

        // The server's query for the latest revision: sorted by the mapped revision_idx.
        JsonNode top = admin.json(
                        "POST",
                        "/.fleet-policies/_search",
                        "{\"size\":1,\"query\":{\"term\":{\"policy_id\":\"" + policyId
                                + "\"}},\"sort\":[{\"revision_idx\":\"desc\"}]}")
                .path("hits")
                .path("hits")
                .get(0)
                .path("_source");
        assertThat(top.path("revision_idx").asLong()).isEqualTo(2);
    }

    @Test
    void anEnrollmentTokenIsARealKeyWithARecordTheServerFinds() {
        String policyId = kibana.createPolicy(unique("pol"));

        String token = kibana.createEnrollmentToken(policyId);

        assertThat(kibana.authenticates(token)).isTrue();
        String plain = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        assertThat(kibana.authenticates(plain)).as("the id:key form").isTrue();
        String keyId = SimulatedKibana.apiKeyId(token);

        JsonNode hits = activeRecords(keyId);
        assertThat(hits).hasSize(1);
        JsonNode record = hits.get(0).path("_source");
        assertThat(record.path("policy_id").asString()).isEqualTo(policyId);
        assertThat(record.path("api_key").asString()).isEqualTo(token);
        assertThat(record.path("name").asString()).startsWith("Default (");
        assertThat(record.path("namespaces").get(0).asString()).isEqualTo("default");
        assertThat(record.path("hidden").asBoolean()).isFalse();
        assertThat(record.path("created_at").asString()).isNotEmpty();

        ObjectNode key = kibana.apiKey(keyId);
        assertThat(key.path("name").asString()).isEqualTo(record.path("name").asString());
        assertThat(key.path("metadata").path("type").asString()).isEqualTo("enroll");
        assertThat(key.path("metadata").path("managed_by").asString()).isEqualTo("fleet");
        assertThat(key.path("metadata").path("policy_id").asString()).isEqualTo(policyId);
        assertThat(key.path("invalidated").asBoolean()).isFalse();

        kibana.deactivateEnrollmentToken(token);
        assertThat(activeRecords(keyId)).isEmpty();
        assertThat(kibana.authenticates(token)).as("deactivating keeps the key").isTrue();

        kibana.revokeEnrollmentToken(token);
        assertThat(kibana.authenticates(token)).isFalse();
        assertThat(kibana.apiKey(keyId).path("invalidated").asBoolean()).isTrue();
        assertThat(kibana.authenticates(keyId + ":not-the-secret")).isFalse();
        assertThat(kibana.apiKey("no-such-key-" + UUID.randomUUID())).isNull();
    }

    private static JsonNode activeRecords(String keyId) {
        return admin.json(
                        "POST",
                        "/.fleet-enrollment-api-keys/_search",
                        "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"api_key_id\":\"" + keyId
                                + "\"}},{\"term\":{\"active\":true}}]}}}")
                .path("hits")
                .path("hits");
    }

    @Test
    void anActionIsIndexedWithItsFields() {
        String agentId = UUID.randomUUID().toString();

        SimulatedKibana.IndexedAction action = kibana.createAction(
                "UPGRADE", List.of(agentId), document -> document.put("start_time", SimulatedKibana.now()));

        JsonNode stored = admin.json("GET", "/.fleet-actions/_doc/" + action.id(), null);
        assertThat(stored.path("_seq_no").asLong()).isEqualTo(action.seqNo());
        JsonNode source = stored.path("_source");
        assertThat(source.path("action_id").asString()).isEqualTo(action.actionId());
        assertThat(source.path("type").asString()).isEqualTo("UPGRADE");
        assertThat(source.path("agents").get(0).asString()).isEqualTo(agentId);
        assertThat(source.path("data").path("version").asString()).isNotEmpty();
        assertThat(source.path("start_time").asString()).isNotEmpty();
        assertThat(Instant.parse(source.path("expiration").asString()))
                .isAfter(Instant.parse(source.path("@timestamp").asString()).plusSeconds(3599));

        // The server's pending-actions query: by agent, not expired, above a _seq_no.
        JsonNode pending = admin.json(
                        "POST",
                        "/.fleet-actions/_search",
                        "{\"seq_no_primary_term\":true,\"query\":{\"bool\":{\"filter\":["
                                + "{\"terms\":{\"agents\":[\"" + agentId + "\"]}},"
                                + "{\"range\":{\"expiration\":{\"gt\":\"now\"}}},"
                                + "{\"range\":{\"_seq_no\":{\"gt\":" + (action.seqNo() - 1) + "}}}]}}}")
                .path("hits")
                .path("hits");
        assertThat(pending).hasSize(1);
        assertThat(kibana.actionDocuments(action.actionId())).hasSize(1);

        SimulatedKibana.IndexedAction unenroll = kibana.createAction("UNENROLL", List.of(agentId));
        assertThat(unenroll.source().has("data")).isFalse();
        assertThat(unenroll.seqNo()).isGreaterThan(action.seqNo());
    }

    @Test
    void aSecretRoundTripsAndTheServiceAccountCanReadIt() {
        String id = kibana.createSecret("s3cr3t-value-" + UUID.randomUUID());

        JsonNode stored = admin.json("GET", "/.fleet-secrets/_doc/" + id, null);
        assertThat(stored.path("_source").path("value").asString()).startsWith("s3cr3t-value-");

        HttpResponse<String> asServer = Http.plain()
                .send(HttpRequest.newBuilder(URI.create(admin.node().httpUri() + "/.fleet-secrets/_doc/" + id))
                        .header("Authorization", "Bearer " + admin.node().serviceToken())
                        .GET());
        assertThat(asServer.statusCode()).isEqualTo(200);

        assertThat(kibana.createSecret("another-secret-value")).isNotEqualTo(id);
    }

    @Test
    void agentDocumentsAndActionResultsAreReadBack() {
        String agentId = UUID.randomUUID().toString();
        assertThat(kibana.agentDocument(agentId)).isNull();
        admin.json(
                "PUT",
                "/.fleet-agents/_doc/" + agentId + "?refresh=true",
                "{\"active\":true,\"policy_id\":\"pol-x\",\"agent\":{\"id\":\"" + agentId + "\"}}");
        long before = kibana.agentDocument(agentId).path("_seq_no").asLong();

        kibana.setAgentField(agentId, "active", BooleanNode.FALSE);
        kibana.setAgentField(agentId, "user_provided_metadata", Http.JSON.readTree("{\"team\":\"edge\"}"));

        ObjectNode agent = kibana.agentDocument(agentId);
        assertThat(agent.path("active").asBoolean()).isFalse();
        assertThat(agent.path("policy_id").asString()).isEqualTo("pol-x");
        assertThat(agent.path("user_provided_metadata").path("team").asString()).isEqualTo("edge");
        assertThat(agent.path("_seq_no").asLong()).isGreaterThan(before);

        String actionId = UUID.randomUUID().toString();
        assertThat(kibana.actionResults(actionId)).isEmpty();
        admin.json(
                "PUT",
                "/.fleet-actions-results/_doc/" + actionId + ":" + agentId + "?refresh=true",
                "{\"action_id\":\"" + actionId + "\",\"agent_id\":\"" + agentId
                        + "\",\"@timestamp\":\"2026-08-21T11:20:31.481920117Z\"}");
        List<ObjectNode> results = kibana.actionResults(actionId);
        assertThat(results).hasSize(1);
        assertThat(results.get(0).path("agent_id").asString()).isEqualTo(agentId);
        assertThat(results.get(0).path("_id").asString()).isEqualTo(actionId + ":" + agentId);
    }
}
