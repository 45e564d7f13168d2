package dev.fleetserver.scenarios;

import static dev.fleetserver.scenarios.Scenarios.get;
import static dev.fleetserver.scenarios.Scenarios.hold;
import static dev.fleetserver.scenarios.Scenarios.json;
import static dev.fleetserver.scenarios.Scenarios.letFollowersCatchUp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testsupport.ElasticsearchOnly;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Actions from {@code .fleet-actions} reaching agents (agent-api §10.5, §10.6, §10.11; checklist items 75–90;
 * algorithms §5 and §15 items 6–9, 21): each type's wire shape on both read paths (pending at the start of a
 * checkin and pushed live into a held one), the documents that must never reach an agent, paging, the priority
 * of actions over policies, rollout spreading and secrets in action data.
 */
@ExtendWith(NoSecretsInLogs.class)
class ActionDeliveryIT {

    private static final Duration LIVE = Duration.ofSeconds(6);
    private static final DateTimeFormatter SECONDS_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final Set<String> NEVER_SENT = Set.of(
            "agents",
            "namespaces",
            "user_id",
            "rollout_duration_seconds",
            "minimum_execution_duration",
            "secret_references",
            "@timestamp");

    private static RunningServer server;
    private static KibanaSide kibana;
    private static String policyId;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config("""
                                  timeouts:
                                    checkin_long_poll: 8s
                                    checkin_jitter: 0s
                            """)).awaitHealthy();
        kibana = TestStore.current().kibana(server);
        policyId = Scenarios.newPolicy(kibana);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static SimulatedAgent readyAgent() {
        return Scenarios.ready(server.agentUri(), kibana, policyId).agent();
    }

    // ------------------------------------------------------------------ wire shape per type

    /** One action document as Kibana writes it and the {@code data} the agent must receive. */
    record Case(String name, String type, Consumer<ObjectNode> edit, String expectedData) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String signedData = Base64.getEncoder()
                .encodeToString(
                        "{\"@timestamp\":\"2025-01-01T00:00:00Z\",\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        String signature = Base64.getEncoder().encodeToString("signature-bytes".getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                new Case(
                        "SETTINGS keeps log_level only (item 75)",
                        "SETTINGS",
                        doc -> doc.set("data", json("{\"log_level\":\"debug\",\"junk\":1}")),
                        "{\"log_level\":\"debug\"}"),
                new Case(
                        "UPGRADE keeps version and source_uri (item 83)",
                        "UPGRADE",
                        doc -> doc.set(
                                "data", json("{\"version\":\"9.6.1\",\"source_uri\":\"https://x\",\"extra\":1}")),
                        "{\"version\":\"9.6.1\",\"source_uri\":\"https://x\"}"),
                new Case(
                        "UPGRADE with rollback keeps it",
                        "UPGRADE",
                        doc -> doc.set("data", json("{\"version\":\"9.5.0\",\"rollback\":true}")),
                        "{\"version\":\"9.5.0\",\"rollback\":true}"),
                new Case(
                        "UNENROLL is sent with data null (item 81)",
                        "UNENROLL",
                        doc -> doc.set("data", json("{\"ignored\":true}")),
                        "null"),
                new Case(
                        "REQUEST_DIAGNOSTICS without data is sent with data null (item 82)",
                        "REQUEST_DIAGNOSTICS",
                        doc -> doc.remove("data"),
                        "null"),
                new Case(
                        "REQUEST_DIAGNOSTICS keeps additional_metrics only (item 82)",
                        "REQUEST_DIAGNOSTICS",
                        doc -> doc.set("data", json("{\"additional_metrics\":[\"CPU\"],\"junk\":1}")),
                        "{\"additional_metrics\":[\"CPU\"]}"),
                new Case(
                        "REQUEST_DIAGNOSTICS with {} stays {}",
                        "REQUEST_DIAGNOSTICS",
                        doc -> doc.set("data", json("{}")),
                        "{}"),
                new Case(
                        "INPUT_ACTION: input_type, timeout and data verbatim (item 84)",
                        "INPUT_ACTION",
                        doc -> {
                            doc.put("input_type", "osquery");
                            doc.put("timeout", 300);
                            doc.set(
                                    "data",
                                    json(
                                            "{\"id\":\"q-17\",\"query\":\"select 1\",\"ecs_mapping\":{\"a\":{\"field\":\"b\"}},"
                                                    + "\"anything\":[1,2.5,null,true]}"));
                        },
                        "{\"id\":\"q-17\",\"query\":\"select 1\",\"ecs_mapping\":{\"a\":{\"field\":\"b\"}},"
                                + "\"anything\":[1,2.5,null,true]}"),
                new Case(
                        "CANCEL with {} gets target_id \"\" (item 85)",
                        "CANCEL",
                        doc -> doc.set("data", json("{}")),
                        "{\"target_id\":\"\"}"),
                new Case(
                        "CANCEL keeps target_id only",
                        "CANCEL",
                        doc -> doc.set("data", json("{\"target_id\":\"abc\",\"junk\":1}")),
                        "{\"target_id\":\"abc\"}"),
                new Case(
                        "MIGRATE keeps enrollment_token, target_uri, settings (item 86)",
                        "MIGRATE",
                        doc -> doc.set(
                                "data",
                                json("{\"enrollment_token\":\"tok\",\"target_uri\":\"https://t.example\","
                                        + "\"settings\":{\"insecure\":true,\"tags\":[\"x\"]},\"policy_id\":\"p\"}")),
                        "{\"enrollment_token\":\"tok\",\"target_uri\":\"https://t.example\","
                                + "\"settings\":{\"insecure\":true,\"tags\":[\"x\"]}}"),
                new Case(
                        "POLICY_REASSIGN keeps policy_id only",
                        "POLICY_REASSIGN",
                        doc -> doc.set("data", json("{\"policy_id\":\"p2\",\"junk\":1}")),
                        "{\"policy_id\":\"p2\"}"),
                new Case(
                        "PRIVILEGE_LEVEL_CHANGE with {} gets unprivileged false",
                        "PRIVILEGE_LEVEL_CHANGE",
                        doc -> doc.set("data", json("{}")),
                        "{\"unprivileged\":false}"),
                new Case(
                        "signed is passed through (item 87)",
                        "SETTINGS",
                        doc -> {
                            doc.set("data", json("{\"log_level\":\"info\"}"));
                            ObjectNode signed = doc.putObject("signed");
                            signed.put("data", signedData);
                            signed.put("signature", signature);
                        },
                        "{\"log_level\":\"info\"}"),
                new Case(
                        "traceparent and start_time are passed through",
                        "UPGRADE",
                        doc -> {
                            doc.set("data", json("{\"version\":\"9.6.1\"}"));
                            doc.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
                            doc.put(
                                    "start_time",
                                    Instant.now()
                                            .plus(1, ChronoUnit.HOURS)
                                            .truncatedTo(ChronoUnit.SECONDS)
                                            .toString());
                        },
                        "{\"version\":\"9.6.1\"}"));
    }

    private static KibanaSide.IndexedAction write(Case c, SimulatedAgent agent) {
        return kibana.createAction(c.type(), List.of(agent.agentId()), doc -> {
            doc.put("user_id", "elastic");
            doc.put("minimum_execution_duration", 60);
            c.edit().accept(doc);
        });
    }

    @ParameterizedTest(name = "pending: {0}")
    @MethodSource("cases")
    void pendingActionHasTheWireShapeOfItsType(Case c) {
        SimulatedAgent agent = readyAgent();
        KibanaSide.IndexedAction action = write(c, agent);
        letFollowersCatchUp();

        SimulatedAgent.Checkin checkin = agent.checkin();

        assertThat(checkin.status()).isEqualTo(200);
        assertThat(checkin.elapsed()).as("pending actions are answered at once").isLessThan(Duration.ofSeconds(3));
        assertThat(checkin.actionIds()).as(checkin.body().toString()).containsExactly(action.actionId());
        assertThat(checkin.ackToken()).isEqualTo(action.id());
        assertWireShape(c, action, agent, checkin.actions().getFirst(), false);
    }

    @ParameterizedTest(name = "live: {0}")
    @MethodSource("cases")
    void liveActionHasTheWireShapeOfItsType(Case c) {
        SimulatedAgent agent = readyAgent();
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        KibanaSide.IndexedAction action = write(c, agent);

        SimulatedAgent.Checkin checkin = get(held, LIVE);

        assertThat(checkin.status()).isEqualTo(200);
        assertThat(checkin.actionIds()).as(checkin.body().toString()).containsExactly(action.actionId());
        assertThat(checkin.ackToken()).isEqualTo(action.id());
        assertWireShape(c, action, agent, checkin.actions().getFirst(), true);
    }

    private static void assertWireShape(
            Case c, KibanaSide.IndexedAction action, SimulatedAgent agent, ObjectNode sent, boolean live) {
        ObjectNode stored = action.source();
        assertThat(sent.path("id").asString()).isEqualTo(action.actionId());
        assertThat(sent.path("type").asString()).isEqualTo(c.type());
        assertThat(sent.path("agent_id").asString()).isEqualTo(agent.agentId());
        assertThat(sent.path("created_at").asString())
                .as("created_at = @timestamp as stored")
                .isEqualTo(stored.path("@timestamp").asString());
        assertThat(sent.path("expiration").asString())
                .as("expiration as stored")
                .isEqualTo(stored.path("expiration").asString());
        assertThat(sent.has("input_type")).as("input_type is always sent").isTrue();
        assertThat(sent.path("input_type").asString())
                .isEqualTo(stored.path("input_type").asString(""));
        assertThat(sent.has("data"))
                .as("data is always sent (may be null): %s", sent)
                .isTrue();
        assertThat(sent.get("data")).as("data of %s", sent).isEqualTo(json(c.expectedData()));
        if (stored.has("timeout")) {
            assertThat(sent.path("timeout").isNumber())
                    .as("timeout is a number: %s", sent)
                    .isTrue();
            assertThat(sent.path("timeout").asLong())
                    .isEqualTo(stored.path("timeout").asLong());
        } else {
            assertThat(sent.has("timeout")).as("no timeout key: %s", sent).isFalse();
        }
        if (stored.has("signed")) {
            assertThat(sent.get("signed")).isEqualTo(stored.get("signed"));
        } else {
            assertThat(sent.has("signed")).as("no signed key: %s", sent).isFalse();
        }
        if (stored.has("traceparent")) {
            assertThat(sent.path("traceparent").asString())
                    .isEqualTo(stored.path("traceparent").asString());
        }
        if (stored.has("start_time")) {
            Instant storedStart = Instant.parse(stored.path("start_time").asString());
            assertThat(Instant.parse(sent.path("start_time").asString())).isEqualTo(storedStart);
            if (!live) {
                assertThat(sent.path("start_time").asString())
                        .as("a pending action's start_time is passed through as stored")
                        .isEqualTo(stored.path("start_time").asString());
            }
        } else {
            assertThat(sent.has("start_time")).as("no start_time key: %s", sent).isFalse();
        }
        for (String field : NEVER_SENT) {
            assertThat(sent.has(field)).as("%s is never sent: %s", field, sent).isFalse();
        }
    }

    // ------------------------------------------------------------------ never delivered

    /** Documents that must never reach agent A (items 79, 80, 85; algorithms §15 item 8). */
    private static List<String> writeUndeliverable(String agentId) {
        List<String> ids = new ArrayList<>();
        Instant now = Instant.now();
        ids.add(kibana.createAction(
                        "SETTINGS",
                        List.of(agentId),
                        doc -> doc.put(
                                "expiration", now.minus(1, ChronoUnit.MINUTES).toString()))
                .actionId());
        ids.add(kibana.createAction("SETTINGS", List.of(agentId), doc -> doc.remove("expiration"))
                .actionId());
        ids.add(kibana.createAction("SETTINGS", List.of("another-agent-" + UUID.randomUUID()))
                .actionId());
        for (String type : List.of("POLICY_CHANGE", "UPDATE_TAGS", "FORCE_UNENROLL", "NO_SUCH_TYPE")) {
            ids.add(kibana.createAction(type, List.of(agentId), doc -> doc.set("data", json("{\"x\":1}")))
                    .actionId());
        }
        ids.add(kibana.createAction("SETTINGS", List.of(agentId), doc -> doc.remove("type"))
                .actionId());
        ids.add(kibana.createAction("CANCEL", List.of(agentId), doc -> doc.remove("data"))
                .actionId());
        return ids;
    }

    @Test
    void expiredUnexpiringForeignAndUndeliverableTypesAreNeverSentPending() {
        SimulatedAgent agent = readyAgent();
        writeUndeliverable(agent.agentId());
        KibanaSide.IndexedAction marker = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        letFollowersCatchUp();

        SimulatedAgent.Checkin checkin = agent.checkin();

        assertThat(checkin.actionIds()).as(checkin.body().toString()).containsExactly(marker.actionId());
        assertThat(checkin.ackToken()).isEqualTo(marker.id());
    }

    @Test
    void expiredUnexpiringForeignAndUndeliverableTypesAreNeverSentLive() {
        SimulatedAgent agent = readyAgent();
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        writeUndeliverable(agent.agentId());
        KibanaSide.IndexedAction marker = kibana.createAction("SETTINGS", List.of(agent.agentId()));

        // An empty live batch may end the poll early; keep checking in until the marker arrives.
        List<String> received = new ArrayList<>(get(held, LIVE).actionIds());
        for (int i = 0; i < 3 && !received.contains(marker.actionId()); i++) {
            received.addAll(agent.checkin().actionIds());
        }
        assertThat(received).containsExactly(marker.actionId());
        // and nothing of it comes back on the pending path
        CompletableFuture<SimulatedAgent.Checkin> next = agent.checkinAsync();
        Scenarios.sleep(Duration.ofSeconds(2));
        if (next.isDone()) {
            assertThat(next.join().actionIds()).as("after the marker's token").isEmpty();
        }
        next.cancel(true);
    }

    // ------------------------------------------------------------------ paging, priority, fan-out

    /** §10.2 step 8: pending documents that are all filtered out do not end the poll. */
    @Test
    void pendingDocumentsThatAreAllFilteredOutLeaveThePollWaiting() {
        SimulatedAgent agent = readyAgent();
        kibana.createAction("UPDATE_TAGS", List.of(agent.agentId()), doc -> doc.set("data", json("{\"x\":1}")));
        kibana.createAction("FORCE_UNENROLL", List.of(agent.agentId()), doc -> doc.set("data", json("{\"x\":1}")));
        letFollowersCatchUp();

        CompletableFuture<SimulatedAgent.Checkin> held = agent.checkinAsync();
        Scenarios.sleep(Duration.ofSeconds(2));
        assertThat(held).as("only undeliverable documents are pending").isNotDone();
        held.cancel(true);
    }

    /** Quirk Q20, improved: more than a page of undeliverable documents does not hide a later action. */
    @Test
    void aDeliverableActionBehindMoreThanAPageOfUndeliverableOnesIsStillDelivered() {
        SimulatedAgent agent = readyAgent();
        List<ObjectNode> documents = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            documents.add(Scenarios.actionDocument(
                    "UPDATE_TAGS",
                    "tags-" + i + "-" + UUID.randomUUID(),
                    List.of(agent.agentId()),
                    doc -> doc.set("data", json("{\"tags\":[\"x\"]}"))));
        }
        String settings = "settings-" + UUID.randomUUID();
        documents.add(Scenarios.actionDocument(
                "SETTINGS",
                settings,
                List.of(agent.agentId()),
                doc -> doc.set("data", json("{\"log_level\":\"info\"}"))));
        List<KibanaSide.IndexedAction> bulk = kibana.createActions(documents);
        letFollowersCatchUp();

        SimulatedAgent.Checkin checkin = agent.checkin();

        assertThat(checkin.elapsed()).isLessThan(Duration.ofSeconds(3));
        assertThat(checkin.actionIds()).containsExactly(settings);
        assertThat(checkin.ackToken()).isEqualTo(bulk.getLast().id());
    }

    @Test
    void oneHundredAndFiftyPendingActionsComeAsOneHundredThenFifty() {
        SimulatedAgent agent = readyAgent();
        List<ObjectNode> documents = new ArrayList<>();
        List<String> actionIds = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            String actionId = "bulk-" + i + "-" + UUID.randomUUID();
            actionIds.add(actionId);
            documents.add(Scenarios.actionDocument(
                    "SETTINGS",
                    actionId,
                    List.of(agent.agentId()),
                    doc -> doc.set("data", json("{\"log_level\":\"info\"}"))));
        }
        List<KibanaSide.IndexedAction> bulk = kibana.createActions(documents);
        letFollowersCatchUp();

        SimulatedAgent.Checkin first = agent.checkin();
        assertThat(first.actionIds()).containsExactlyElementsOf(actionIds.subList(0, 100));
        assertThat(first.ackToken()).isEqualTo(bulk.get(99).id());

        SimulatedAgent.Checkin second = agent.checkin();
        assertThat(second.elapsed()).isLessThan(Duration.ofSeconds(3));
        assertThat(second.actionIds()).containsExactlyElementsOf(actionIds.subList(100, 150));
        assertThat(second.ackToken()).isEqualTo(bulk.get(149).id());

        CompletableFuture<SimulatedAgent.Checkin> third = agent.checkinAsync();
        Scenarios.sleep(Duration.ofSeconds(2));
        assertThat(third).as("nothing is left after the second page").isNotDone();
        third.cancel(true);
        Scenarios.awaitAgentDocument(
                kibana,
                agent.agentId(),
                Duration.ofSeconds(20),
                doc -> doc.path("action_seq_no").path(0).asLong()
                        == bulk.get(149).seqNo());
    }

    @Test
    void aPendingActionWinsOverANewerRevisionWhichComesNext() {
        SimulatedAgent agent = readyAgent();
        String policy = Scenarios.newPolicy(kibana);
        Scenarios.Ready ready = Scenarios.ready(server.agentUri(), kibana, policy);
        agent = ready.agent();
        long revision = kibana.newRevision(
                policy, data -> data.withObjectProperty("agent").put("download_timeout", "3h"));
        KibanaSide.IndexedAction action = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        letFollowersCatchUp();

        SimulatedAgent.Checkin first = agent.checkin();
        assertThat(first.actionIds()).as(first.body().toString()).containsExactly(action.actionId());

        SimulatedAgent.Checkin second = agent.checkin();
        assertThat(second.elapsed()).isLessThan(Duration.ofSeconds(3));
        assertThat(second.actionIds()).containsExactly("policy:" + policy + ":" + revision);
        assertThat(second.ackToken()).as("a POLICY_CHANGE carries no token").isEmpty();
    }

    @Test
    void aLiveActionForTwoAgentsReachesBothButNotAThird() {
        SimulatedAgent a = readyAgent();
        SimulatedAgent b = readyAgent();
        SimulatedAgent c = readyAgent();
        var heldA = a.checkinAsync();
        var heldB = b.checkinAsync();
        var heldC = c.checkinAsync();
        Scenarios.sleep(Duration.ofMillis(700));
        KibanaSide.IndexedAction action = kibana.createAction("SETTINGS", List.of(a.agentId(), b.agentId()));

        assertThat(get(heldA, LIVE).actionIds()).containsExactly(action.actionId());
        assertThat(get(heldB, LIVE).actionIds()).containsExactly(action.actionId());
        Scenarios.sleep(Duration.ofSeconds(1));
        if (heldC.isDone()) {
            assertThat(heldC.join().actionIds()).isEmpty();
        }
        heldC.cancel(true);
    }

    /**
     * A newer checkin of the same agent replaces the older one's subscription; the older one ending late (its
     * client went away) must not remove the newer one's (algorithms §5.1).
     */
    @Test
    void aNewerPollOfTheSameAgentStillReceivesLiveActionsAfterTheOlderOneEnds() {
        SimulatedAgent agent = readyAgent();
        CompletableFuture<SimulatedAgent.Checkin> older = agent.checkinAsync();
        Scenarios.sleep(Duration.ofMillis(500));
        CompletableFuture<SimulatedAgent.Checkin> newer = hold(agent);
        older.cancel(true);
        Scenarios.sleep(Duration.ofMillis(500));

        KibanaSide.IndexedAction action = kibana.createAction("SETTINGS", List.of(agent.agentId()));

        SimulatedAgent.Checkin checkin = get(newer, LIVE);
        assertThat(checkin.actionIds()).containsExactly(action.actionId());
        assertThat(checkin.elapsed())
                .as("delivered live, not at the poll's end")
                .isLessThan(Duration.ofSeconds(7));
    }

    // ------------------------------------------------------------------ rollout (item 89, §15 item 9)

    /**
     * Gives several checkins started together time to get past their pending read: only a live push spreads the
     * start time, and one that still reads pending actions when the action is written gets it as stored (quirk Q8).
     */
    private static void awaitHeld() {
        Scenarios.sleep(Duration.ofMillis(1500));
    }

    @Test
    void aLiveActionsStartTimeIsSpreadOverTheRolloutDuration() {
        List<SimulatedAgent> agents = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            agents.add(readyAgent());
        }
        List<CompletableFuture<SimulatedAgent.Checkin>> held = new ArrayList<>();
        agents.forEach(agent -> held.add(agent.checkinAsync()));
        awaitHeld();
        Instant start = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        String storedStart = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(ZoneOffset.UTC)
                .format(start);
        kibana.createAction(
                "UPGRADE", agents.stream().map(SimulatedAgent::agentId).toList(), doc -> {
                    doc.put("start_time", storedStart);
                    doc.put("rollout_duration_seconds", 400);
                    doc.put("expiration", start.plus(1, ChronoUnit.DAYS).toString());
                });

        for (int i = 0; i < 4; i++) {
            SimulatedAgent.Checkin checkin = get(held.get(i), LIVE);
            assertThat(checkin.actions()).hasSize(1);
            assertThat(checkin.actions().getFirst().path("start_time").asString())
                    .as("agent %d of 4", i)
                    .isEqualTo(SECONDS_UTC.format(start.plusSeconds(100L * i)));
        }
    }

    @Test
    void theRolloutKeepsTheStartTimesOffset() {
        List<SimulatedAgent> agents = List.of(readyAgent(), readyAgent());
        List<CompletableFuture<SimulatedAgent.Checkin>> held =
                agents.stream().map(SimulatedAgent::checkinAsync).toList();
        awaitHeld();
        OffsetDateTime start =
                OffsetDateTime.now(ZoneOffset.ofHours(2)).plusHours(2).truncatedTo(ChronoUnit.SECONDS);
        kibana.createAction(
                "UPGRADE", agents.stream().map(SimulatedAgent::agentId).toList(), doc -> {
                    doc.put("start_time", start.toString());
                    doc.put("rollout_duration_seconds", 100);
                });
        DateTimeFormatter rfc3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

        assertThat(get(held.get(0), LIVE)
                        .actions()
                        .getFirst()
                        .path("start_time")
                        .asString())
                .isEqualTo(rfc3339.format(start));
        assertThat(get(held.get(1), LIVE)
                        .actions()
                        .getFirst()
                        .path("start_time")
                        .asString())
                .isEqualTo(rfc3339.format(start.plusSeconds(50)));
    }

    // ------------------------------------------------------------------ secrets in action data (§15 item 21)

    private static KibanaSide.IndexedAction secretAction(SimulatedAgent agent, String secretId) {
        return kibana.createAction("INPUT_ACTION", List.of(agent.agentId()), doc -> {
            doc.set(
                    "data",
                    json("{\"query\":\"select * from t where k='$co.elastic.secret{" + secretId + "}'\","
                            + "\"nested\":{\"list\":[\"$co.elastic.secret{" + secretId + "}\"]}}"));
            doc.putArray("secret_references").addObject().put("id", secretId);
        });
    }

    private static void assertSecretResolved(SimulatedAgent.Checkin checkin, String value) {
        ObjectNode sent = checkin.actions().getFirst();
        assertThat(sent.path("data").path("query").asString())
                .as("data.query of %s", checkin.body())
                .isEqualTo("select * from t where k='" + value + "'");
        assertThat(sent.path("data").path("nested").path("list").path(0).asString())
                .isEqualTo(value);
        assertThat(sent.has("secret_references")).isFalse();
        assertThat(sent.path("data").has("secret_references")).isFalse();
    }

    @Test
    @ElasticsearchOnly("secrets are .fleet-secrets documents")
    void aSecretInPendingActionDataIsResolved() {
        SimulatedAgent agent = readyAgent();
        String value = "action-secret-" + UUID.randomUUID();
        String secretId = kibana.createSecret(value);
        KibanaSide.IndexedAction action = secretAction(agent, secretId);
        letFollowersCatchUp();

        SimulatedAgent.Checkin checkin = agent.checkin();

        assertThat(checkin.actionIds()).containsExactly(action.actionId());
        assertSecretResolved(checkin, value);
    }

    @Test
    @ElasticsearchOnly("secrets are .fleet-secrets documents")
    void aSecretInLiveActionDataIsResolved() {
        SimulatedAgent agent = readyAgent();
        String value = "action-secret-" + UUID.randomUUID();
        String secretId = kibana.createSecret(value);
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
        KibanaSide.IndexedAction action = secretAction(agent, secretId);

        SimulatedAgent.Checkin checkin = get(held, LIVE);

        assertThat(checkin.actionIds()).containsExactly(action.actionId());
        assertSecretResolved(checkin, value);
    }

    // ------------------------------------------------------------------ tokens (items 77, 78)

    @Test
    void anUnknownAckTokenFallsBackToTheStoredPosition() {
        SimulatedAgent agent = readyAgent();
        KibanaSide.IndexedAction first = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        letFollowersCatchUp();
        assertThat(agent.checkin().actionIds()).containsExactly(first.actionId());
        // the position is stored with the next checkin's flush
        CompletableFuture<SimulatedAgent.Checkin> quiet = agent.checkinAsync();
        Scenarios.awaitAgentDocument(
                kibana,
                agent.agentId(),
                Duration.ofSeconds(20),
                doc -> doc.path("action_seq_no").path(0).asLong() == first.seqNo());
        quiet.cancel(true);

        agent.ackToken("no-such-token-" + UUID.randomUUID());
        CompletableFuture<SimulatedAgent.Checkin> fallback = agent.checkinAsync();
        Scenarios.sleep(Duration.ofSeconds(2));
        if (fallback.isDone()) {
            SimulatedAgent.Checkin done = fallback.join();
            assertThat(done.status()).as(String.valueOf(done.body())).isEqualTo(200);
            assertThat(done.actionIds())
                    .as("the stored action_seq_no is used: the action is not sent again")
                    .isEmpty();
        }
        fallback.cancel(true);
    }

    static JsonNode unused() {
        return null;
    }
}
