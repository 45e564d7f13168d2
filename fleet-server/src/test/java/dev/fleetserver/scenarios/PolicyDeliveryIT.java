package dev.fleetserver.scenarios;

import static dev.fleetserver.scenarios.Scenarios.awaitAgentDocument;
import static dev.fleetserver.scenarios.Scenarios.get;
import static dev.fleetserver.scenarios.Scenarios.hold;
import static dev.fleetserver.scenarios.Scenarios.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.health.HealthState;
import dev.fleetserver.testsupport.ElasticsearchOnly;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.SimulatedKibana;
import dev.fleetserver.testsupport.TestStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policies reaching agents (agent-api §10.7, §11.4; checklist items 69–74, 104–108; algorithms §2, §8, §9 and §15
 * items 1–5, 11–15, 19–20; data-model §8 item 8): secrets in policies, the revision an agent reports, stale
 * revisions, output-key permission updates and rotation, reassignment and Kibana's own agent fields.
 */
@ExtendWith(NoSecretsInLogs.class)
class PolicyDeliveryIT {

    private static final Duration LIVE = Duration.ofSeconds(6);
    private static final String POLLS = """
                              timeouts:
                                checkin_long_poll: 5s
                                checkin_jitter: 0s
                        """;

    private static RunningServer server;
    private static KibanaSide kibana;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config(POLLS)).awaitHealthy();
        kibana = TestStore.current().kibana(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String newPolicy() {
        return Scenarios.newPolicy(kibana);
    }

    private static Scenarios.Ready ready(String policyId) {
        return Scenarios.ready(server.agentUri(), kibana, policyId);
    }

    private static JsonNode policyOf(ObjectNode action) {
        return action.path("data").path("policy");
    }

    private static String outputKeyOf(ObjectNode action) {
        return policyOf(action).path("outputs").path("default").path("api_key").asString();
    }

    private static List<String> secretPaths(JsonNode policy) {
        List<String> paths = new ArrayList<>();
        policy.path("secret_paths").forEach(path -> paths.add(path.asString()));
        return paths;
    }

    /** A checkin with an edited body; the agent's state is not touched. */
    record Raw(int status, JsonNode body, Duration elapsed) {
        List<String> actionIds() {
            return Scenarios.actionIds(body);
        }

        ObjectNode action(int i) {
            return (ObjectNode) body.path("actions").get(i);
        }
    }

    private static Raw rawCheckin(SimulatedAgent agent, Consumer<ObjectNode> edit) {
        ObjectNode body = agent.checkinBody();
        edit.accept(body);
        long start = System.nanoTime();
        HttpResponse<String> response = agent.checkinRaw(Http.JSON.writeValueAsBytes(body), true);
        return new Raw(response.statusCode(), Scenarios.body(response), Duration.ofNanos(System.nanoTime() - start));
    }

    // ------------------------------------------------------------------ a revision as written (§15 item 1, item 74)

    @Test
    void aRevisionWrittenDuringAPollIsDeliveredAsWrittenPlusTheOutputKey() {
        String policyId = newPolicy();
        SimulatedAgent agent = ready(policyId).agent();
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        long revision = kibana.newRevision(policyId, data -> {
            data.withObjectProperty("agent").put("download_timeout", "2h");
            data.withArrayProperty("inputs")
                    .addObject()
                    .put("id", "second-input")
                    .put("type", "filestream")
                    .put("use_output", "default");
        });

        SimulatedAgent.Checkin delivered = get(held, LIVE);

        assertThat(delivered.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
        ObjectNode action = delivered.actions().getFirst();
        ObjectNode document = kibana.latestPolicyDocument(policyId);
        assertThat(action.path("created_at").asString())
                .isEqualTo(document.path("@timestamp").asString());
        assertThat(action.path("agent_id").asString()).isEqualTo(agent.agentId());
        ObjectNode sent = ((ObjectNode) policyOf(action)).deepCopy();
        assertThat(outputKeyOf(action)).matches("[^:]+:[^:]+");
        ((ObjectNode) sent.path("outputs").path("default")).remove("api_key");
        if (sent.path("secret_paths").isArray() && sent.path("secret_paths").isEmpty()) {
            sent.remove("secret_paths");
        }
        ObjectNode expected = ((ObjectNode) document.path("data")).deepCopy();
        expected.remove("secret_references");
        // An output's service token (how the embedded store's policies reach their cluster) never reaches agents:
        // the key made with it is sent instead.
        expected.path("outputs").forEach(output -> ((ObjectNode) output).remove("service_token"));
        assertThat(sent).isEqualTo(expected);
    }

    // ------------------------------------------------------------------ secrets (item 69, §15 items 19–20)

    @Test
    @ElasticsearchOnly("secrets are .fleet-secrets documents")
    void inlineSecretsAreResolvedWhereverTheyAreAndListedInSecretPaths() {
        String policyId = newPolicy();
        String password = "stream-password-" + UUID.randomUUID();
        String sslKey = "output-ssl-key-" + UUID.randomUUID();
        String token = "download-token-" + UUID.randomUUID();
        String passwordId = kibana.createSecret(password);
        String sslKeyId = kibana.createSecret(sslKey);
        String tokenId = kibana.createSecret(token);
        long revision = kibana.newRevision(policyId, data -> {
            ((ObjectNode) data.path("inputs").get(0).path("streams").get(0))
                    .put("password", "$co.elastic.secret{" + passwordId + "}");
            ((ObjectNode) data.path("outputs").path("default"))
                    .putObject("ssl")
                    .put("key", "$co.elastic.secret{" + sslKeyId + "}");
            data.withObjectProperty("agent")
                    .withObjectProperty("download")
                    .put("proxy_headers_auth", "Bearer $co.elastic.secret{" + tokenId + "}");
            ArrayNode references = data.putArray("secret_references");
            references.addObject().put("id", passwordId);
            references.addObject().put("id", sslKeyId);
            references.addObject().put("id", tokenId);
        });

        SimulatedAgent agent = Scenarios.enrolled(server.agentUri(), kibana, policyId);
        SimulatedAgent.Checkin checkin = agent.checkin();

        assertThat(checkin.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
        JsonNode policy = policyOf(checkin.actions().getFirst());
        assertThat(policy.path("inputs")
                        .path(0)
                        .path("streams")
                        .path(0)
                        .path("password")
                        .asString())
                .isEqualTo(password);
        assertThat(policy.path("outputs")
                        .path("default")
                        .path("ssl")
                        .path("key")
                        .asString())
                .isEqualTo(sslKey);
        assertThat(policy.path("agent")
                        .path("download")
                        .path("proxy_headers_auth")
                        .asString())
                .isEqualTo("Bearer " + token);
        assertThat(policy.has("secret_references")).isFalse();
        assertThat(secretPaths(policy))
                .containsExactly(
                        "agent.download.proxy_headers_auth", "inputs.0.streams.0.password", "outputs.default.ssl.key");
    }

    @Test
    @ElasticsearchOnly("secrets are .fleet-secrets documents")
    void pathFormSecretsAreWrittenInPlaceAndTheirSecretsKeyIsRemoved() {
        String policyId = newPolicy();
        String password = "path-password-" + UUID.randomUUID();
        String key = "path-key-" + UUID.randomUUID();
        String passwordId = kibana.createSecret(password);
        String keyId = kibana.createSecret(key);
        long revision = kibana.newRevision(policyId, data -> {
            ((ObjectNode) data.path("inputs").get(0).path("streams").get(0))
                    .putObject("secrets")
                    .putObject("password")
                    .put("id", passwordId);
            ((ObjectNode) data.path("inputs").get(0))
                    .putObject("secrets")
                    .putObject("ssl")
                    .putObject("key")
                    .put("id", keyId);
            ArrayNode references = data.putArray("secret_references");
            references.addObject().put("id", passwordId);
            references.addObject().put("id", keyId);
        });

        SimulatedAgent agent = Scenarios.enrolled(server.agentUri(), kibana, policyId);
        SimulatedAgent.Checkin checkin = agent.checkin();

        assertThat(checkin.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
        JsonNode input = policyOf(checkin.actions().getFirst()).path("inputs").path(0);
        JsonNode stream = input.path("streams").path(0);
        assertThat(stream.path("password").asString()).isEqualTo(password);
        assertThat(stream.has("secrets")).as("stream: %s", stream).isFalse();
        assertThat(input.path("ssl").path("key").asString()).isEqualTo(key);
        assertThat(input.has("secrets")).as("input keeps no secrets key").isFalse();
        assertThat(secretPaths(policyOf(checkin.actions().getFirst())))
                .containsExactly("inputs.0.ssl.key", "inputs.0.streams.0.password");
    }

    @Test
    void aMissingSecretLeavesThePlaceholderAndTheServerKeepsServing() {
        String policyId = newPolicy();
        SimulatedAgent waiting = ready(policyId).agent();
        CompletableFuture<SimulatedAgent.Checkin> held = hold(waiting);
        String missing = "missing-secret-" + UUID.randomUUID();
        long revision = kibana.newRevision(policyId, data -> {
            ((ObjectNode) data.path("inputs").get(0).path("streams").get(0))
                    .put("password", "$co.elastic.secret{" + missing + "}");
            data.putArray("secret_references").addObject().put("id", missing);
        });

        SimulatedAgent.Checkin live = get(held, LIVE);
        assertThat(live.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
        assertThat(policyOf(live.actions().getFirst())
                        .path("inputs")
                        .path(0)
                        .path("streams")
                        .path(0)
                        .path("password")
                        .asString())
                .isEqualTo("$co.elastic.secret{" + missing + "}");
        assertThat(secretPaths(policyOf(live.actions().getFirst()))).isEmpty();

        SimulatedAgent fresh = Scenarios.enrolled(server.agentUri(), kibana, policyId);
        SimulatedAgent.Checkin pending = fresh.checkin();
        assertThat(pending.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
        assertThat(server.state()).isEqualTo(HealthState.HEALTHY);
        // other policies are still served
        ready(newPolicy());
    }

    // ------------------------------------------------------------------ reported revision (items 70–73, §15 item 5)

    @Test
    void reportingTheCurrentRevisionWaitsAndIsRecorded() {
        String policyId = newPolicy();
        SimulatedAgent agent = Scenarios.enrolled(server.agentUri(), kibana, policyId);
        ObjectNode first = agent.checkin().actions().getFirst();
        agent.apply(first); // applied, never acknowledged

        CompletableFuture<SimulatedAgent.Checkin> next = agent.checkinAsync();
        Scenarios.sleep(Duration.ofSeconds(2));
        assertThat(next).as("reporting P:1 means nothing to deliver").isNotDone();
        ObjectNode doc = awaitAgentDocument(
                kibana,
                agent.agentId(),
                Duration.ofSeconds(20),
                d -> d.path("policy_revision_idx").asLong() == 1
                        && policyId.equals(d.path("agent_policy_id").asString()));
        assertThat(doc.path("agent_policy_id").asString()).isEqualTo(policyId);
        assertThat(get(next, LIVE).actions()).isEmpty();
    }

    @Test
    void reportingANonExistentHigherRevisionGetsTheLatestAtOnce() {
        String policyId = newPolicy();
        SimulatedAgent agent = ready(policyId).agent();

        Raw raw = rawCheckin(agent, body -> body.put("policy_revision_idx", 6));

        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.elapsed()).isLessThan(Duration.ofSeconds(3));
        assertThat(raw.actionIds()).containsExactly("policy:" + policyId + ":1");
    }

    @Test
    void reportingAnotherPolicyGetsTheAssignedPolicyAtOnce() {
        String policyId = newPolicy();
        SimulatedAgent agent = ready(policyId).agent();

        Raw raw = rawCheckin(agent, body -> body.put("agent_policy_id", "some-other-policy"));

        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.elapsed()).isLessThan(Duration.ofSeconds(3));
        assertThat(raw.actionIds()).containsExactly("policy:" + policyId + ":1");
    }

    @Test
    void withIgnoreCheckinPolicyIdTheRevisionIsResentUntilAcknowledged() {
        try (RunningServer ignoring =
                RunningServer.start(TestStore.current().config(POLLS + """
                                  feature_flags:
                                    ignore_checkin_policy_id: true
                            """)).awaitHealthy()) {
            KibanaSide fleet = TestStore.current().kibana(ignoring);
            String policyId = Scenarios.newPolicy(fleet);
            SimulatedAgent agent = Scenarios.enrolled(ignoring.agentUri(), fleet, policyId);
            ObjectNode first = agent.checkin().actions().getFirst();
            agent.apply(first);

            SimulatedAgent.Checkin again = agent.checkin();
            assertThat(again.elapsed()).isLessThan(Duration.ofSeconds(3));
            assertThat(again.actionIds()).containsExactly("policy:" + policyId + ":1");

            assertThat(agent.ack(first).statusCode()).isEqualTo(200);
            CompletableFuture<SimulatedAgent.Checkin> quiet = agent.checkinAsync();
            Scenarios.sleep(Duration.ofSeconds(2));
            assertThat(quiet).as("acknowledged: nothing to send").isNotDone();
            quiet.cancel(true);
        }
    }

    // ------------------------------------------------------------------ stale and racing revisions (§15 items 2–3)

    @Test
    @ElasticsearchOnly("Elasticsearch takes a second document with an existing revision; the embedded store refuses it")
    void aLowerOrEqualRevisionIndexedLaterDeliversNothing() {
        String policyId = newPolicy();
        long latest = kibana.newRevision(policyId, data -> data.put("marker", "latest"));
        SimulatedAgent agent = ready(policyId).agent();
        assertThat(agent.policyRevision()).isEqualTo(latest);
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);

        ObjectNode stale = kibana.defaultPolicyData(policyId);
        kibana.addPolicyRevision(policyId, 1, stale);
        ObjectNode equal = kibana.defaultPolicyData(policyId);
        equal.put("revision", latest);
        kibana.addPolicyRevision(policyId, latest, equal);

        SimulatedAgent.Checkin checkin = get(held, Duration.ofSeconds(10));
        assertThat(checkin.actions()).as(String.valueOf(checkin.body())).isEmpty();
        assertThat(checkin.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(4));

        SimulatedAgent fresh = Scenarios.enrolled(server.agentUri(), kibana, policyId);
        assertThat(fresh.checkin().actionIds()).containsExactly("policy:" + policyId + ":" + latest);
    }

    @Test
    void twoQuickRevisionsNeverDeliverTheOlderAfterTheNewer() {
        String policyId = newPolicy();
        SimulatedAgent agent = ready(policyId).agent();
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        long second = kibana.newRevision(policyId, data -> data.put("marker", "2"));
        long third = kibana.newRevision(policyId, data -> data.put("marker", "3"));

        SimulatedAgent.Checkin first = get(held, LIVE);
        assertThat(first.actions("POLICY_CHANGE")).hasSize(1);
        String firstId = first.actionIds().getFirst();
        assertThat(firstId).isIn("policy:" + policyId + ":" + second, "policy:" + policyId + ":" + third);
        agent.apply(first.actions().getFirst());
        agent.ack(first.actions().getFirst());
        if (firstId.endsWith(":" + second)) {
            SimulatedAgent.Checkin next = agent.checkin();
            assertThat(next.actionIds()).containsExactly("policy:" + policyId + ":" + third);
            agent.apply(next.actions().getFirst());
            agent.ack(next.actions().getFirst());
        }
        CompletableFuture<SimulatedAgent.Checkin> atLatest = agent.checkinAsync();
        Scenarios.sleep(Duration.ofSeconds(2));
        assertThat(atLatest).as("at the latest revision the checkin waits").isNotDone();
        atLatest.cancel(true);
    }

    // ------------------------------------------------------------------ policy acks (items 104–108, §15 item 11)

    private static ObjectNode policyAckEvent(SimulatedAgent agent, String actionId) {
        return agent.ackEvent(object("{\"id\":\"" + actionId + "\",\"type\":\"POLICY_CHANGE\"}"));
    }

    private static long storedRevision(SimulatedAgent agent) {
        return kibana.agentDocument(agent.agentId()).path("policy_revision_idx").asLong();
    }

    @Test
    void onlyHigherRevisionsOfTheAssignedPolicyAreRecordedByAcks() {
        String policyId = newPolicy();
        SimulatedAgent agent = ready(policyId).agent();
        for (int i = 0; i < 3; i++) {
            kibana.newRevision(policyId, data -> {});
        }

        HttpResponse<String> three = agent.ackEvents(policyAckEvent(agent, "policy:" + policyId + ":3"));
        assertThat(Scenarios.json(three.body()))
                .isEqualTo(object("{\"action\":\"acks\",\"items\":[{\"status\":200,\"message\":\"OK\"}]}"));
        assertThat(storedRevision(agent)).isEqualTo(3);

        assertThat(agent.ackEvents(policyAckEvent(agent, "policy:" + policyId + ":2"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(storedRevision(agent)).as("a lower revision").isEqualTo(3);

        assertThat(agent.ackEvents(policyAckEvent(agent, "policy:other-policy:99"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(storedRevision(agent)).as("another policy").isEqualTo(3);

        assertThat(agent.ackEvents(policyAckEvent(agent, "policy:" + policyId + ":4")
                                .put("error", "failed to apply"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(storedRevision(agent)).as("an ack with error").isEqualTo(3);

        assertThat(agent.ackEvents(policyAckEvent(agent, "policy:" + policyId + ":4:5"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(storedRevision(agent)).as("a legacy four-part id").isEqualTo(4);
    }

    // ------------------------------------------------------------------ reassignment (§15 item 12)

    @Test
    void afterReassignmentTheOldPolicysAckIsIgnoredAndTheNewPolicyIsDelivered() {
        String oldPolicy = newPolicy();
        String newPolicy = newPolicy();
        SimulatedAgent agent = ready(oldPolicy).agent();
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        long revision = kibana.newRevision(oldPolicy, data -> data.put("marker", "x"));
        ObjectNode delivered = get(held, LIVE).actions().getFirst();
        assertThat(delivered.path("id").asString()).isEqualTo("policy:" + oldPolicy + ":" + revision);

        ObjectNode reassign = Http.JSON.createObjectNode();
        reassign.put("policy_id", newPolicy);
        reassign.put("updated_at", SimulatedKibana.now());
        kibana.updateAgent(agent.agentId(), reassign);
        agent.apply(delivered);
        HttpResponse<String> ack = agent.ack(delivered);

        assertThat(ack.statusCode()).isEqualTo(200);
        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(doc.path("policy_revision_idx").asLong())
                .as("the ack of the old policy's revision is not recorded")
                .isEqualTo(1);
        assertThat(doc.path("policy_id").asString()).isEqualTo(newPolicy);

        SimulatedAgent.Checkin next = agent.checkin();
        assertThat(next.elapsed()).isLessThan(Duration.ofSeconds(3));
        assertThat(next.actionIds()).containsExactly("policy:" + newPolicy + ":1");
        agent.apply(next.actions().getFirst());
        assertThat(agent.ack(next.actions().getFirst()).statusCode()).isEqualTo(200);
        CompletableFuture<SimulatedAgent.Checkin> quiet = agent.checkinAsync();
        Scenarios.sleep(Duration.ofSeconds(2));
        assertThat(quiet).as("running the new policy: nothing to deliver").isNotDone();
        awaitAgentDocument(
                kibana,
                agent.agentId(),
                Duration.ofSeconds(20),
                d -> newPolicy.equals(d.path("agent_policy_id").asString())
                        && d.path("policy_revision_idx").asLong() == 1);
        quiet.cancel(true);
    }

    // ------------------------------------------------------------------ output keys (§15 items 4, 14, 15)

    private static List<String> roleNames(String keyId) {
        // keys are created without refresh: wait until the listing shows it
        ObjectNode key =
                await().atMost(Duration.ofSeconds(10)).until(() -> kibana.apiKey(keyId), java.util.Objects::nonNull);
        List<String> names = new ArrayList<>();
        key.path("role_descriptors").propertyNames().forEach(names::add);
        return names;
    }

    @Test
    void aPermissionChangeUpdatesTheSameKeyWithStaleRolesUntilTheAck() {
        String policyId = newPolicy();
        Scenarios.Ready ready = ready(policyId);
        SimulatedAgent agent = ready.agent();
        String keyId = SimulatedKibana.apiKeyId(ready.outputKey());
        String hashBefore = kibana.agentDocument(agent.agentId())
                .path("outputs")
                .path("default")
                .path("permissions_hash")
                .asString();
        List<String> rolesBefore = roleNames(keyId);
        assertThat(rolesBefore).contains("_elastic_agent_checks");

        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        long revision = kibana.newRevision(policyId, data -> {
            ObjectNode role = ((ObjectNode) data.path("output_permissions").path("default")).putObject("extra-role");
            ObjectNode indices = role.putArray("indices").addObject();
            indices.putArray("names").add("logs-extra-default");
            indices.putArray("privileges").add("create_doc");
        });
        ObjectNode delivered = get(held, LIVE).actions().getFirst();
        assertThat(delivered.path("id").asString()).isEqualTo("policy:" + policyId + ":" + revision);

        assertThat(SimulatedKibana.apiKeyId(outputKeyOf(delivered)))
                .as("the same output key")
                .isEqualTo(keyId);
        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(doc.path("outputs").path("default").path("api_key_id").asString())
                .isEqualTo(keyId);
        assertThat(doc.path("outputs").path("default").path("permissions_hash").asString())
                .isNotEqualTo(hashBefore);
        List<String> rolesDuring = roleNames(keyId);
        assertThat(rolesDuring).as("new roles").contains("extra-role", "_elastic_agent_checks");
        assertThat(rolesDuring)
                .as("the old roles are kept as -rdstale")
                .anyMatch(name -> name.startsWith("_elastic_agent_checks") && name.endsWith("-rdstale"));
        assertThat(kibana.authenticates(outputKeyOf(delivered))).isTrue();

        agent.apply(delivered);
        assertThat(agent.ack(delivered).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(roleNames(keyId))
                        .as("stale roles are gone after the ack")
                        .noneMatch(name -> name.endsWith("-rdstale"))
                        .contains("extra-role", "_elastic_agent_checks"));
        assertThat(kibana.authenticates(outputKeyOf(delivered))).isTrue();
    }

    @Test
    void aRetiredOutputKeyIsReplacedAtOnceAndInvalidatedAfterTheNextRevisionsAck() {
        retiredKeyScenario(Duration.ofSeconds(3));
    }

    /**
     * Key clean-up that runs within a second of the retired key's creation (here forced by a checkin reporting a
     * revision that does not exist, agent-api §10.7.1 item 4). Elasticsearch finds keys for invalidation only once
     * its security index has refreshed, so that first invalidation may find nothing (answering
     * {@code invalidated_api_keys: []} without error, algorithms §8.2). The retired key must still be invalidated
     * once the agent acks a newer revision (algorithms §8.5, §15 item 15). Timing-dependent: it fails only when
     * the early clean-up beats the refresh, which the quick sequence below makes likely.
     */
    @Test
    void aRetiredOutputKeyIsInvalidatedEvenIfAnEarlyCleanUpRanRightAfterItsCreation() {
        String policyId = newPolicy();
        SimulatedAgent agent = Scenarios.enrolled(server.agentUri(), kibana, policyId);
        ObjectNode first = agent.checkin().actions().getFirst();
        String oldKey = outputKeyOf(first);
        kibana.updateAgent(agent.agentId(), object("{\"outputs\":{\"default\":{\"api_key\":\"\"}}}"));
        SimulatedAgent.Checkin rotated = agent.checkin();
        Raw early = rawCheckin(agent, body -> {
            body.put("agent_policy_id", policyId);
            body.put("policy_revision_idx", 99);
        });
        assertThat(rotated.actionIds()).containsExactly("policy:" + policyId + ":1");
        String newKey = outputKeyOf(rotated.actions().getFirst());
        assertThat(SimulatedKibana.apiKeyId(newKey)).isNotEqualTo(SimulatedKibana.apiKeyId(oldKey));
        assertThat(early.status()).isEqualTo(200);
        agent.apply(rotated.actions().getFirst());

        assertThat(agent.ack(rotated.actions().getFirst()).statusCode()).isEqualTo(200);
        assertThat(kibana.agentDocument(agent.agentId())
                        .path("policy_revision_idx")
                        .asLong())
                .isEqualTo(1);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(kibana.authenticates(oldKey))
                        .as(
                                "the retired key %s after the ack of revision 1; agent outputs: %s; invalidated: %s",
                                SimulatedKibana.apiKeyId(oldKey),
                                withoutKeys(
                                        kibana.agentDocument(agent.agentId()).path("outputs")),
                                invalidated(SimulatedKibana.apiKeyId(oldKey)))
                        .isFalse());
        assertThat(kibana.authenticates(newKey)).as("the current key").isTrue();
    }

    private static void retiredKeyScenario(Duration ageOfOldKey) {
        String policyId = newPolicy();
        Scenarios.Ready ready = ready(policyId);
        SimulatedAgent agent = ready.agent();
        String oldKey = ready.outputKey();
        String oldId = SimulatedKibana.apiKeyId(oldKey);
        Scenarios.sleep(ageOfOldKey);

        kibana.updateAgent(agent.agentId(), object("{\"outputs\":{\"default\":{\"api_key\":\"\"}}}"));
        SimulatedAgent.Checkin rotated = agent.checkin();

        assertThat(rotated.elapsed()).as("delivered at once (§15 item 4)").isLessThan(Duration.ofSeconds(3));
        assertThat(rotated.actionIds()).containsExactly("policy:" + policyId + ":1");
        String newKey = outputKeyOf(rotated.actions().getFirst());
        String newId = SimulatedKibana.apiKeyId(newKey);
        assertThat(newId).isNotEqualTo(oldId);
        assertThat(kibana.authenticates(newKey)).isTrue();
        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(doc.path("outputs").path("default").path("api_key_id").asString())
                .isEqualTo(newId);
        List<String> retired = new ArrayList<>();
        doc.path("outputs")
                .path("default")
                .path("to_retire_api_key_ids")
                .forEach(entry -> retired.add(entry.path("id").asString()));
        assertThat(retired)
                .as("to_retire_api_key_ids: %s", withoutKeys(doc.path("outputs")))
                .contains(oldId);
        agent.apply(rotated.actions().getFirst());
        assertThat(agent.ack(rotated.actions().getFirst()).statusCode()).isEqualTo(200);
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        long revision = kibana.newRevision(policyId, data -> data.put("marker", "after-rotation"));
        ObjectNode next = get(held, LIVE).actions().getFirst();
        assertThat(next.path("id").asString()).isEqualTo("policy:" + policyId + ":" + revision);
        assertThat(SimulatedKibana.apiKeyId(outputKeyOf(next))).isEqualTo(newId);
        agent.apply(next);
        assertThat(agent.ack(next).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(kibana.authenticates(oldKey))
                    .as(
                            "the retired key %s after the ack of revision %d; agent outputs: %s; invalidated: %s",
                            oldId,
                            revision,
                            withoutKeys(kibana.agentDocument(agent.agentId()).path("outputs")),
                            invalidated(oldId))
                    .isFalse();
            assertThat(kibana.apiKey(oldId).path("invalidated").asBoolean()).isTrue();
        });
        assertThat(kibana.authenticates(newKey)).as("the current key").isTrue();
    }

    /** The key's {@code invalidated} flag for a failure message, or why there is none. */
    private static String invalidated(String keyId) {
        ObjectNode key = kibana.apiKey(keyId);
        return key == null ? "(key not listed yet)" : key.path("invalidated").toString();
    }

    /** The agent's {@code outputs} for a failure message, without the key secrets. */
    private static JsonNode withoutKeys(JsonNode outputs) {
        JsonNode copy = outputs.deepCopy();
        copy.forEach(output -> {
            if (output instanceof ObjectNode entry) {
                entry.remove("api_key");
            }
        });
        return copy;
    }

    // ------------------------------------------------------------------ Kibana's fields (data-model §8 item 8)

    @Test
    void kibanasAgentFieldsSurviveEverythingTheServerWrites() {
        String policyId = newPolicy();
        Scenarios.Ready ready = ready(policyId);
        SimulatedAgent agent = ready.agent();
        ObjectNode kibanaFields = object("{\"user_provided_metadata\":{\"team\":\"blue\",\"rack\":7},"
                + "\"tags\":[\"edge\",\"eu\"],\"kibana_only\":{\"x\":1}}");
        kibana.updateAgent(agent.agentId(), kibanaFields);
        Instant afterSet = Instant.now();
        Consumer<String> survived = step -> {
            ObjectNode doc = kibana.agentDocument(agent.agentId());
            assertThat(doc.path("user_provided_metadata"))
                    .as("user_provided_metadata after %s", step)
                    .isEqualTo(kibanaFields.path("user_provided_metadata"));
            assertThat(doc.path("tags")).as("tags after %s", step).isEqualTo(kibanaFields.path("tags"));
            assertThat(doc.path("kibana_only"))
                    .as("kibana_only after %s", step)
                    .isEqualTo(kibanaFields.path("kibana_only"));
        };

        // a checkin flush
        CompletableFuture<SimulatedAgent.Checkin> quiet = agent.checkinAsync();
        awaitAgentDocument(
                kibana,
                agent.agentId(),
                Duration.ofSeconds(20),
                d -> d.path("last_checkin").isString()
                        && Scenarios.instant(d.path("last_checkin")).isAfter(afterSet.minusSeconds(1)));
        quiet.cancel(true);
        survived.accept("a checkin flush");

        // a policy ack
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        kibana.newRevision(policyId, data -> data.put("marker", "2"));
        ObjectNode revision = get(held, LIVE).actions().getFirst();
        agent.apply(revision);
        assertThat(agent.ack(revision).statusCode()).isEqualTo(200);
        survived.accept("a policy ack");

        // an upgrade ack
        KibanaSide.IndexedAction upgrade = kibana.createAction("UPGRADE", List.of(agent.agentId()));
        Scenarios.letFollowersCatchUp();
        SimulatedAgent.Checkin upgradeCheckin = agent.checkin();
        assertThat(upgradeCheckin.actionIds()).containsExactly(upgrade.actionId());
        assertThat(agent.ack(upgradeCheckin.actions().getFirst()).statusCode()).isEqualTo(200);
        survived.accept("an upgrade ack");

        // an output key rotation
        kibana.updateAgent(agent.agentId(), object("{\"outputs\":{\"default\":{\"api_key\":\"\"}}}"));
        SimulatedAgent.Checkin rotated = agent.checkin();
        assertThat(rotated.actions("POLICY_CHANGE")).hasSize(1);
        survived.accept("an output key rotation");

        // and the flush of those checkins
        Scenarios.sleep(Duration.ofSeconds(12));
        survived.accept("the last checkin flush");
    }
}
