package dev.fleetserver.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.management.policies.Preconfigurer;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.Secrets;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code fleet.agent_policies} and {@code fleet.enrollment_tokens} on Elasticsearch: applied at start, again at
 * every restart without duplicates, a changed policy as a new revision, and the same result when two instances
 * start together.
 */
@ExtendWith(NoSecretsInLogs.class)
class PreconfigurationIT {

    private static final ElasticsearchAdmin es = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static final Duration APPLIED = Duration.ofSeconds(60);

    private static String yaml(String policyId, String description) {
        return """
                fleet:
                  agent_policies:
                    - id: %s
                      name: Preconfigured %s
                      description: %s
                      inactivity_timeout: 7200
                      inputs:
                        - id: logs-system
                          type: logfile
                          use_output: default
                          streams:
                            - id: syslog
                              data_stream: {dataset: system.syslog, type: logs}
                              paths: [/var/log/syslog]
                    - id: %s-plain
                      name: Preconfigured %s without a declared token
                  enrollment_tokens:
                    - policy_id: %s
                      name: bootstrap
                """.formatted(policyId, policyId, description, policyId, policyId, policyId);
    }

    private static RunningServer start(String yaml) {
        RunningServer server = RunningServer.start(TestConfigs.forNode(es.node(), TestConfigs.SHORT_POLLS, yaml))
                .awaitHealthy();
        assertThat(server.context().getBean(Preconfigurer.class).awaitApplied(APPLIED))
                .as("preconfiguration applied")
                .isTrue();
        return server;
    }

    private static SimulatedKibana kibana(RunningServer server) {
        return new SimulatedKibana(es, server.agentUri());
    }

    private static List<ObjectNode> tokenRecords(String policyId) {
        ObjectNode query = Http.JSON.createObjectNode();
        query.putObject("query").putObject("term").put("policy_id", policyId);
        es.json("POST", "/.fleet-enrollment-api-keys/_refresh", null);
        List<ObjectNode> records = new ArrayList<>();
        es.json("POST", "/.fleet-enrollment-api-keys/_search", Http.JSON.writeValueAsString(query))
                .path("hits")
                .path("hits")
                .forEach(hit -> records.add((ObjectNode) hit.path("_source")));
        return records;
    }

    /** Valid Elasticsearch API keys whose Fleet metadata names the policy. */
    private static long validEnrollmentKeys(String policyId) {
        ObjectNode query = Http.JSON.createObjectNode();
        ObjectNode bool = query.putObject("query").putObject("bool");
        bool.putArray("filter").addObject().putObject("term").put("metadata.policy_id", policyId);
        bool.withArrayProperty("filter").addObject().putObject("term").put("invalidated", false);
        return es.json("POST", "/_security/_query/api_key", Http.JSON.writeValueAsString(query))
                .path("total")
                .asLong();
    }

    @Test
    void declaredPoliciesAndTokensAreUpsertedAtEveryStart() {
        String policyId = "preconf-" + UUID.randomUUID().toString().substring(0, 8);

        try (RunningServer first = start(yaml(policyId, "first"))) {
            List<ObjectNode> revisions = kibana(first).policyDocuments(policyId);
            assertThat(revisions).hasSize(1);
            JsonNode attributes = revisions.getFirst().path("agent_policy");
            assertThat(attributes.path("is_preconfigured").asBoolean()).isTrue();
            assertThat(attributes.path("namespace").asString()).isEqualTo("default");
            assertThat(attributes.path("inactivity_timeout").asLong()).isEqualTo(7200);
            assertThat(revisions
                            .getFirst()
                            .path("data")
                            .path("inputs")
                            .get(0)
                            .path("id")
                            .asString())
                    .isEqualTo("logs-system");
            List<ObjectNode> tokens = tokenRecords(policyId);
            assertThat(tokens).hasSize(1);
            assertThat(tokens.getFirst().path("name").asString()).startsWith("bootstrap (");

            SimulatedAgent agent = new SimulatedAgent(first.agentUri());
            assertThat(agent.enroll(Secrets.register(
                                    tokens.getFirst().path("api_key").asString()))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(agent.checkin()
                            .actions("POLICY_CHANGE")
                            .getFirst()
                            .path("data")
                            .path("policy")
                            .path("id")
                            .asString())
                    .isEqualTo(policyId);
        }

        try (RunningServer unchanged = start(yaml(policyId, "first"))) {
            assertThat(kibana(unchanged).policyDocuments(policyId))
                    .as("an unchanged policy")
                    .hasSize(1);
            assertThat(tokenRecords(policyId)).as("a token is created once").hasSize(1);
            List<ObjectNode> defaults = tokenRecords(policyId + "-plain");
            assertThat(defaults)
                    .as("a policy without a declared token gets Kibana's default key")
                    .hasSize(1);
            assertThat(defaults.getFirst().path("name").asString()).startsWith("Default (");
        }

        try (RunningServer changed = start(yaml(policyId, "second"))) {
            List<ObjectNode> revisions = kibana(changed).policyDocuments(policyId);
            assertThat(revisions)
                    .extracting(r -> r.path("revision_idx").asLong())
                    .containsExactly(1L, 2L);
            assertThat(revisions
                            .getLast()
                            .path("agent_policy")
                            .path("description")
                            .asString())
                    .isEqualTo("second");
            assertThat(tokenRecords(policyId)).hasSize(1);
        }
    }

    @Test
    void twoInstancesStartingTogetherWriteEverythingOnce() {
        String policyId = "preconf-" + UUID.randomUUID().toString().substring(0, 8);
        String yaml = yaml(policyId, "together");

        CompletableFuture<RunningServer> a = CompletableFuture.supplyAsync(() -> start(yaml));
        CompletableFuture<RunningServer> b = CompletableFuture.supplyAsync(() -> start(yaml));
        try (RunningServer first = a.join();
                RunningServer second = b.join()) {
            assertThat(kibana(first).policyDocuments(policyId)).hasSize(1);
            assertThat(tokenRecords(policyId)).hasSize(1);
            // A key created by the instance that lost the race is invalidated; keys are listed without refresh.
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(
                            () -> assertThat(validEnrollmentKeys(policyId)).isEqualTo(1));
            assertThat(second.state()).isEqualTo(first.state());
        }
    }
}
