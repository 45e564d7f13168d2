package dev.fleetserver.conformance;

import static dev.fleetserver.conformance.Wire.assertFleetError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.conformance.Wire.Answer;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.KibanaSide.IndexedAction;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestConfigs;
import dev.fleetserver.testsupport.TestStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Acks (agent-api §11; checklist items 34, 104–114, 119, 120). */
@ExtendWith(NoSecretsInLogs.class)
class AcksIT {

    private static RunningServer server;
    private static KibanaSide kibana;
    private static String policyId;
    private static String token;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config(TestConfigs.SHORT_POLLS))
                .awaitHealthy();
        kibana = TestStore.current().kibana(server);
        policyId = kibana.createPolicy("acks-" + UUID.randomUUID().toString().substring(0, 8));
        token = kibana.createEnrollmentToken(policyId);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static SimulatedAgent enrolled(String enrollmentToken) {
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        assertThat(agent.enroll(enrollmentToken).statusCode()).isEqualTo(200);
        return agent;
    }

    private static SimulatedAgent enrolled() {
        return enrolled(token);
    }

    /** The ack event an agent sends for an action it was given (agent-behavior §4.1). */
    private static ObjectNode event(SimulatedAgent agent, String actionId, String type) {
        ObjectNode action = Http.JSON.createObjectNode();
        action.put("id", actionId);
        action.put("type", type);
        return agent.ackEvent(action);
    }

    private static Answer ack(SimulatedAgent agent, ObjectNode... events) {
        return Answer.of(agent.ackEvents(events));
    }

    private static Answer ackBody(SimulatedAgent agent, String body, String... headers) {
        return Answer.of(agent.send(
                "POST",
                "/api/fleet/agents/" + agent.agentId() + "/acks",
                body.getBytes(StandardCharsets.UTF_8),
                headers));
    }

    private static void assertAckBody(Answer answer, int status, String expectedJson) {
        assertThat(answer.status()).as("%s", answer).isEqualTo(status);
        assertThat(answer.json()).as("%s", answer).isEqualTo(Http.JSON.readTree(expectedJson));
        assertThat(answer.header("Content-Type")).startsWith("application/json");
    }

    private static final String ONE_OK = "{\"action\":\"acks\",\"items\":[{\"status\":200,\"message\":\"OK\"}]}";

    private static JsonNode revision(SimulatedAgent agent) {
        return kibana.agentDocument(agent.agentId()).path("policy_revision_idx");
    }

    private static ObjectNode result(IndexedAction action, SimulatedAgent agent) {
        List<ObjectNode> results = kibana.actionResults(action.actionId());
        assertThat(results).as("results of %s", action.actionId()).hasSize(1);
        ObjectNode result = results.getFirst();
        // On Elasticsearch the result's document id is what makes a repeated ack idempotent; the embedded store
        // keys its rows the same way but its port does not expose them (idempotency is checked by counting).
        if (TestStore.current() == TestStore.ELASTICSEARCH) {
            assertThat(result.path("_id").asString()).isEqualTo(action.actionId() + ":" + agent.agentId());
        }
        return result;
    }

    // ---------------------------------------------------------------- policy acks (items 104–108)

    @Test
    void item104_aPolicyAckAdvancesTheRevision() {
        SimulatedAgent agent = enrolled();
        ObjectNode policyChange = agent.checkin().actions().getFirst();
        assertThat(policyChange.path("id").asString()).isEqualTo("policy:" + policyId + ":1");

        assertAckBody(Answer.of(agent.ack(policyChange)), 200, ONE_OK);
        assertThat(revision(agent).asLong()).isEqualTo(1);
        assertThat(kibana.actionResults("policy:" + policyId + ":1"))
                .as("no result for policy acks")
                .isEmpty();
    }

    @Test
    void item105_theLegacyFourPartPolicyIdWorksToo() {
        SimulatedAgent agent = enrolled();
        assertAckBody(ack(agent, event(agent, "policy:" + policyId + ":1:5", "POLICY_CHANGE")), 200, ONE_OK);
        assertThat(revision(agent).asLong()).isEqualTo(1);
    }

    @Test
    void item106_aFailedPolicyAckChangesNothing() {
        SimulatedAgent agent = enrolled();
        ObjectNode event = event(agent, "policy:" + policyId + ":1", "POLICY_CHANGE");
        event.put("error", "could not apply");
        assertAckBody(ack(agent, event), 200, ONE_OK);
        assertThat(revision(agent).asLong()).isZero();
    }

    @Test
    void item107_anAckForAnotherPolicyChangesNothing() {
        SimulatedAgent agent = enrolled();
        assertAckBody(
                ack(agent, event(agent, "policy:OTHER-" + UUID.randomUUID() + ":99", "POLICY_CHANGE")), 200, ONE_OK);
        assertThat(revision(agent).asLong()).isZero();
    }

    @Test
    void item108_anAckForALowerRevisionChangesNothing() {
        String policy =
                kibana.createPolicy("acks-rev-" + UUID.randomUUID().toString().substring(0, 8));
        kibana.newRevision(policy, data -> data.put("note", "second"));
        SimulatedAgent agent = enrolled(kibana.createEnrollmentToken(policy));
        ObjectNode policyChange = agent.checkin().actions().getFirst();
        assertThat(policyChange.path("id").asString()).isEqualTo("policy:" + policy + ":2");
        assertAckBody(Answer.of(agent.ack(policyChange)), 200, ONE_OK);
        assertThat(revision(agent).asLong()).isEqualTo(2);

        assertAckBody(ack(agent, event(agent, "policy:" + policy + ":1", "POLICY_CHANGE")), 200, ONE_OK);
        assertThat(revision(agent).asLong()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"policy:%s", "policy:%s:x", "policy:%s:1:2:3", "policy::1"})
    void malformedPolicyAckIdsAreAcknowledgedButIgnored(String pattern) {
        SimulatedAgent agent = enrolled();
        assertAckBody(ack(agent, event(agent, pattern.formatted(policyId), "POLICY_CHANGE")), 200, ONE_OK);
        assertThat(revision(agent).asLong()).isZero();
    }

    // ---------------------------------------------------------------- per-event statuses (items 109–111)

    @Test
    void item109_anEventForAnotherAgentIs400() {
        SimulatedAgent agent = enrolled();
        IndexedAction settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        ObjectNode event = event(agent, settings.actionId(), "SETTINGS");
        event.put("agent_id", UUID.randomUUID().toString());
        assertAckBody(
                ack(agent, event),
                400,
                "{\"action\":\"acks\",\"errors\":true,\"items\":[{\"status\":400,\"message\":\"Bad Request\"}]}");
        assertThat(kibana.actionResults(settings.actionId())).isEmpty();
    }

    @Test
    void anEmptyEventAgentIdMeansThePathsAgent() {
        SimulatedAgent agent = enrolled();
        IndexedAction settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        ObjectNode event = event(agent, settings.actionId(), "SETTINGS");
        event.put("agent_id", "");
        assertAckBody(ack(agent, event), 200, ONE_OK);
        assertThat(result(settings, agent).path("agent_id").asString()).isEqualTo(agent.agentId());
    }

    @Test
    void item110_anUnknownActionIs404WithAnAckBody() {
        SimulatedAgent agent = enrolled();
        assertAckBody(
                ack(agent, event(agent, UUID.randomUUID().toString(), "SETTINGS")),
                404,
                "{\"action\":\"acks\",\"errors\":true,\"items\":[{\"status\":404,\"message\":\"Not Found\"}]}");
    }

    @Test
    void item111_aKnownAndAnUnknownActionAre404WithBothItemsInOrder() {
        SimulatedAgent agent = enrolled();
        IndexedAction known = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        String unknown = UUID.randomUUID().toString();

        assertAckBody(
                ack(agent, event(agent, known.actionId(), "SETTINGS"), event(agent, unknown, "SETTINGS")),
                404,
                "{\"action\":\"acks\",\"errors\":true,\"items\":"
                        + "[{\"status\":200,\"message\":\"OK\"},{\"status\":404,\"message\":\"Not Found\"}]}");
        assertAckBody(
                ack(agent, event(agent, unknown, "SETTINGS"), event(agent, known.actionId(), "SETTINGS")),
                404,
                "{\"action\":\"acks\",\"errors\":true,\"items\":"
                        + "[{\"status\":404,\"message\":\"Not Found\"},{\"status\":200,\"message\":\"OK\"}]}");
        assertThat(kibana.actionResults(known.actionId())).hasSize(1);
    }

    @Test
    void theHighestItemStatusIsTheHttpStatus() {
        SimulatedAgent agent = enrolled();
        ObjectNode foreign = event(agent, UUID.randomUUID().toString(), "SETTINGS");
        foreign.put("agent_id", UUID.randomUUID().toString());
        assertAckBody(
                ack(agent, foreign, event(agent, UUID.randomUUID().toString(), "SETTINGS")),
                404,
                "{\"action\":\"acks\",\"errors\":true,\"items\":"
                        + "[{\"status\":400,\"message\":\"Bad Request\"},{\"status\":404,\"message\":\"Not Found\"}]}");
    }

    // ---------------------------------------------------------------- result documents (items 112–114)

    @Test
    void item112_aSettingsAckWritesOneResultAndIsIdempotent() {
        SimulatedAgent agent = enrolled();
        IndexedAction settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        ObjectNode event = event(agent, settings.actionId(), "SETTINGS");

        assertAckBody(ack(agent, event), 200, ONE_OK);
        assertAckBody(ack(agent, event), 200, ONE_OK);

        ObjectNode result = result(settings, agent);
        assertThat(result.path("action_id").asString()).isEqualTo(settings.actionId());
        assertThat(result.path("agent_id").asString()).isEqualTo(agent.agentId());
        assertThat(result.path("@timestamp").asString()).isNotEmpty();
        assertThat(result.has("error"))
                .as("no error key without an error: %s", result)
                .isFalse();
        // Q14: this server always copies the action's namespaces
        assertThat(result.path("namespaces")
                        .valueStream()
                        .map(JsonNode::asString)
                        .toList())
                .containsExactly("default");
        assertThat(result.has("data"))
                .as("data only for REQUEST_DIAGNOSTICS: %s", result)
                .isFalse();
        assertThat(result.has("action_response"))
                .as("INPUT_ACTION fields: %s", result)
                .isFalse();
    }

    @Test
    void item112_theEventTimestampIsStoredInRfc3339WithItsOffset() {
        SimulatedAgent agent = enrolled();
        IndexedAction utc = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        IndexedAction plusTwo = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        ObjectNode utcEvent =
                event(agent, utc.actionId(), "SETTINGS").put("timestamp", "2025-03-04T10:25:41.002+00:00");
        ObjectNode plusTwoEvent =
                event(agent, plusTwo.actionId(), "SETTINGS").put("timestamp", "2025-03-04T12:25:41.500000+02:00");

        assertThat(ack(agent, utcEvent, plusTwoEvent).status()).isEqualTo(200);

        assertThat(result(utc, agent).path("@timestamp").asString()).isEqualTo("2025-03-04T10:25:41.002Z");
        assertThat(result(plusTwo, agent).path("@timestamp").asString()).isEqualTo("2025-03-04T12:25:41.5+02:00");
    }

    @Test
    void item112_anEventWithoutTimestampStillWritesAResult() {
        SimulatedAgent agent = enrolled();
        IndexedAction settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        ObjectNode event = event(agent, settings.actionId(), "SETTINGS");
        event.remove("timestamp");
        assertAckBody(ack(agent, event), 200, ONE_OK);
        String stored = result(settings, agent).path("@timestamp").asString();
        // Q12: upstream writes Go's zero time; "now" is allowed
        if (!stored.equals("0001-01-01T00:00:00Z")) {
            assertThat(Instant.parse(stored)).isBetween(Instant.now().minus(Duration.ofMinutes(1)), Instant.now());
        }
    }

    @Test
    void anErrorIsStoredInTheResult() {
        SimulatedAgent agent = enrolled();
        IndexedAction settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        assertAckBody(ack(agent, event(agent, settings.actionId(), "SETTINGS").put("error", "bad level")), 200, ONE_OK);
        assertThat(result(settings, agent).path("error").asString()).isEqualTo("bad level");
    }

    @Test
    void item113_aDiagnosticsAckStoresTheUploadId() {
        SimulatedAgent agent = enrolled();
        IndexedAction diagnostics = kibana.createAction("REQUEST_DIAGNOSTICS", List.of(agent.agentId()));
        ObjectNode event = event(agent, diagnostics.actionId(), "REQUEST_DIAGNOSTICS");
        event.putObject("data").put("upload_id", "u1");

        assertAckBody(ack(agent, event), 200, ONE_OK);

        ObjectNode result = result(diagnostics, agent);
        assertThat(result.path("data")).isEqualTo(Http.JSON.readTree("{\"upload_id\":\"u1\"}"));
        assertThat(result.path("action_id").asString()).isEqualTo(diagnostics.actionId());
    }

    @Test
    void item113_aDiagnosticsAckWithoutDataStoresNoUploadId() {
        SimulatedAgent agent = enrolled();
        IndexedAction diagnostics = kibana.createAction("REQUEST_DIAGNOSTICS", List.of(agent.agentId()));
        assertAckBody(ack(agent, event(agent, diagnostics.actionId(), "REQUEST_DIAGNOSTICS")), 200, ONE_OK);
        JsonNode data = result(diagnostics, agent).path("data");
        assertThat(data.isNull() || data.isMissingNode()).as("data: %s", data).isTrue();
    }

    @Test
    void item114_anInputActionAckStoresItsFields() {
        SimulatedAgent agent = enrolled();
        IndexedAction input = kibana.createAction("INPUT_ACTION", List.of(agent.agentId()));
        ObjectNode event = event(agent, input.actionId(), "INPUT_ACTION");
        event.put("action_input_type", "osquery");
        event.putObject("action_data").put("query", "select 1");
        event.putObject("action_response").putObject("osquery").put("count", 1);
        event.put("started_at", "2025-03-04T10:00:00Z");
        event.put("completed_at", "2025-03-04T10:00:01.500Z");
        event.put("error", "partial failure");

        assertAckBody(ack(agent, event), 200, ONE_OK);

        ObjectNode result = result(input, agent);
        assertThat(result.path("action_input_type").asString()).isEqualTo("osquery");
        assertThat(result.path("action_data")).isEqualTo(Http.JSON.readTree("{\"query\":\"select 1\"}"));
        assertThat(result.path("action_response")).isEqualTo(Http.JSON.readTree("{\"osquery\":{\"count\":1}}"));
        assertThat(result.path("started_at").asString()).isEqualTo("2025-03-04T10:00:00Z");
        assertThat(result.path("completed_at").asString()).isEqualTo("2025-03-04T10:00:01.5Z");
        assertThat(result.path("error").asString()).isEqualTo("partial failure");
        assertThat(result.has("data")).as("no diagnostics data: %s", result).isFalse();
    }

    @Test
    void theResultShapeFollowsTheActionsTypeNotTheEvents() {
        SimulatedAgent agent = enrolled();
        IndexedAction settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        ObjectNode event = event(agent, settings.actionId(), "REQUEST_DIAGNOSTICS");
        event.putObject("data").put("upload_id", "u1");
        event.put("action_input_type", "osquery");
        event.putObject("action_response").put("x", 1);

        assertAckBody(ack(agent, event), 200, ONE_OK);

        ObjectNode result = result(settings, agent);
        assertThat(result.has("data")).as("%s", result).isFalse();
        assertThat(result.has("action_input_type")).as("%s", result).isFalse();
        assertThat(result.has("action_response")).as("%s", result).isFalse();
    }

    // ---------------------------------------------------------------- bodies and headers (items 34, 119, 120)

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"events\":[]}", "{\"events\":null}", "{\"unknown\":1}"})
    void item119_noEventsIsAnEmptyAckResponse(String body) {
        assertAckBody(ackBody(enrolled(), body), 200, "{\"action\":\"acks\"}");
    }

    @Test
    void item120_invalidJsonIs400() {
        Answer answer = ackBody(enrolled(), "{\"events\":[{]}");
        assertFleetError(answer, 400, "BadRequest");
        assertThat(answer.message()).startsWith("Bad request: unable to decode ack request");
    }

    @Test
    void item34_acksDoNotCheckTheUserAgent() {
        SimulatedAgent agent = enrolled();
        assertAckBody(ackBody(agent, "{}", "User-Agent", "curl/8.0"), 200, "{\"action\":\"acks\"}");
        assertAckBody(ackBody(agent, "{}", "User-Agent", null), 200, "{\"action\":\"acks\"}");
        IndexedAction settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        String body = Http.JSON.writeValueAsString(Http.JSON
                .createObjectNode()
                .set("events", Http.JSON.createArrayNode().add(event(agent, settings.actionId(), "SETTINGS"))));
        assertAckBody(ackBody(agent, body, "User-Agent", "Elastic Agent v99.0.0"), 200, ONE_OK);
    }

    @Test
    void unknownEventFieldsAreIgnored() {
        SimulatedAgent agent = enrolled();
        IndexedAction settings = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        ObjectNode event = event(agent, settings.actionId(), "SETTINGS");
        event.put("future_field", "x");
        event.putObject("payload").put("retry", false).put("retry_attempt", 0);
        assertAckBody(ack(agent, event), 200, ONE_OK);
    }
}
