package dev.fleetserver.scenarios;

import static dev.fleetserver.scenarios.Scenarios.awaitAgentDocument;
import static dev.fleetserver.scenarios.Scenarios.instant;
import static dev.fleetserver.scenarios.Scenarios.object;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What checkins write to the agent document (agent-api §10.8; checklist items 91–95, 100, 64; algorithms §6.1 and
 * §15 item 10): status and message, {@code unhealthy_reason} from components, metadata, version, audit clean-up,
 * rollbacks, and a {@code last_checkin} that keeps moving while a poll is held. Polls are long here (25 s) and the
 * refresh tick short (2 s), so every checkin is held and cancelled once the document shows what it should.
 */
@ExtendWith(NoSecretsInLogs.class)
class CheckinStateIT {

    /** The flush interval (2 s here) plus generous slack for a busy machine. */
    private static final Duration FLUSHED = Duration.ofSeconds(15);

    private static RunningServer server;
    private static KibanaSide kibana;
    private static String policyId;

    /** The held poll of each agent; an agent holds one poll at a time, as a real one does. */
    private final Map<String, CompletableFuture<SimulatedAgent.Checkin>> open = new HashMap<>();

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config("""
                                  timeouts:
                                    checkin_long_poll: 25s
                                    checkin_timestamp: 2s
                                    checkin_jitter: 0s
                                  bulk:
                                    checkin:
                                      flush_interval: 2s
                            """)).awaitHealthy();
        kibana = TestStore.current().kibana(server);
        policyId = Scenarios.newPolicy(kibana);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void abandonOpenPolls() {
        open.values().forEach(poll -> poll.cancel(true));
    }

    private SimulatedAgent ready() {
        return Scenarios.ready(server.agentUri(), kibana, policyId).agent();
    }

    /** Starts a checkin that will be held, abandoning the agent's previous one (client disconnect). */
    private CompletableFuture<SimulatedAgent.Checkin> poll(SimulatedAgent agent) {
        CompletableFuture<SimulatedAgent.Checkin> previous = open.remove(agent.agentId());
        if (previous != null) {
            previous.cancel(true);
            Scenarios.sleep(Duration.ofMillis(300));
        }
        CompletableFuture<SimulatedAgent.Checkin> held = agent.checkinAsync();
        open.put(agent.agentId(), held);
        return held;
    }

    /**
     * A checkin (body edited) that is answered at once because a pending action waits for it, so that it does not
     * stay held: a test's earlier step must not leave a poll behind whose refreshes could blur the next step
     * (see {@link #anAbandonedPollStopsRefreshingTheAgent()}). The agent keeps the returned ack token.
     */
    private void answeredAtOnce(SimulatedAgent agent) {
        answeredAtOnce(agent, body -> {});
    }

    private void answeredAtOnce(SimulatedAgent agent, Consumer<ObjectNode> edit) {
        CompletableFuture<SimulatedAgent.Checkin> previous = open.remove(agent.agentId());
        if (previous != null) {
            previous.cancel(true);
        }
        KibanaSide.IndexedAction action = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        Scenarios.letFollowersCatchUp();
        ObjectNode body = agent.checkinBody();
        edit.accept(body);
        HttpResponse<String> response = agent.checkinRaw(Http.JSON.writeValueAsBytes(body), true);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = Scenarios.body(response);
        assertThat(Scenarios.actionIds(answer)).containsExactly(action.actionId());
        agent.ackToken(answer.path("ack_token").asString());
    }

    private static boolean after(JsonNode timestamp, Instant moment) {
        return timestamp.isString() && !instant(timestamp).isBefore(moment.truncatedTo(ChronoUnit.SECONDS));
    }

    // ------------------------------------------------------------------ status and message (item 91, §15 item 10)

    @Test
    void statusMessageAndLastCheckinAreWrittenWithinAFlush() {
        SimulatedAgent agent = ready().status("starting").message("Starting the inputs");
        Instant sent = Instant.now();
        answeredAtOnce(agent);

        ObjectNode doc = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "starting".equals(d.path("last_checkin_status").asString())
                        && after(d.path("last_checkin"), sent));
        assertThat(doc.path("last_checkin_message").asString()).isEqualTo("Starting the inputs");
        assertThat(after(doc.path("updated_at"), sent))
                .as("updated_at: %s", doc)
                .isTrue();
        assertThat(instant(doc.path("last_checkin"))).isBefore(Instant.now().plusSeconds(1));

        agent.status("DEGRADED").message("");
        Instant second = Instant.now();
        poll(agent);
        doc = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "DEGRADED".equals(d.path("last_checkin_status").asString())
                        && after(d.path("last_checkin"), second));
        assertThat(doc.path("last_checkin_message").isString()).isTrue();
        assertThat(doc.path("last_checkin_message").asString()).isEmpty();
    }

    // ------------------------------------------------------------------ unhealthy_reason (item 92)

    private static ArrayNode components(String componentStatus, String... unitTypeAndStatus) {
        ArrayNode list = Http.JSON.createArrayNode();
        ObjectNode component = list.addObject();
        component.put("id", "filestream-default");
        component.put("type", "filestream");
        component.put("status", componentStatus);
        component.put("message", componentStatus.toLowerCase(java.util.Locale.ROOT));
        if (unitTypeAndStatus.length > 0) {
            ArrayNode units = component.putArray("units");
            for (int i = 0; i < unitTypeAndStatus.length; i += 2) {
                ObjectNode unit = units.addObject();
                unit.put("id", "unit-" + i);
                unit.put("type", unitTypeAndStatus[i]);
                unit.put("status", unitTypeAndStatus[i + 1]);
                unit.put("message", "m");
            }
        }
        return list;
    }

    @Test
    void unhealthyReasonFollowsTheUnhealthyUnits() {
        SimulatedAgent input =
                ready().status("error").components(components("FAILED", "input", "FAILED", "output", "HEALTHY"));
        SimulatedAgent both =
                ready().status("error").components(components("FAILED", "input", "FAILED", "output", "DEGRADED"));
        SimulatedAgent other = ready().status("DEGRADED").components(components("DEGRADED"));
        Instant sent = Instant.now();
        answeredAtOnce(input);
        poll(both);
        poll(other);

        ObjectNode inputDoc = awaitAgentDocument(
                kibana,
                input.agentId(),
                FLUSHED,
                d -> after(d.path("last_checkin"), sent)
                        && "error".equals(d.path("last_checkin_status").asString()));
        ObjectNode bothDoc = awaitAgentDocument(
                kibana,
                both.agentId(),
                FLUSHED,
                d -> "error".equals(d.path("last_checkin_status").asString()));
        ObjectNode otherDoc = awaitAgentDocument(
                kibana,
                other.agentId(),
                FLUSHED,
                d -> "DEGRADED".equals(d.path("last_checkin_status").asString()));

        assertThat(inputDoc.path("unhealthy_reason")).isEqualTo(Scenarios.json("[\"input\"]"));
        assertThat(inputDoc.path("components")).isEqualTo(components("FAILED", "input", "FAILED", "output", "HEALTHY"));
        assertThat(bothDoc.path("unhealthy_reason")).isEqualTo(Scenarios.json("[\"input\",\"output\"]"));
        assertThat(otherDoc.path("unhealthy_reason")).isEqualTo(Scenarios.json("[\"other\"]"));

        // Quirk Q9, replicated: all healthy again keeps the previous reason
        input.status("online").components(components("HEALTHY", "input", "HEALTHY"));
        Instant healthy = Instant.now();
        poll(input);
        ObjectNode healed = awaitAgentDocument(
                kibana,
                input.agentId(),
                FLUSHED,
                d -> "online".equals(d.path("last_checkin_status").asString())
                        && after(d.path("last_checkin"), healthy));
        assertThat(healed.path("components")).isEqualTo(components("HEALTHY", "input", "HEALTHY"));
        assertThat(healed.path("unhealthy_reason")).isEqualTo(Scenarios.json("[\"input\"]"));
    }

    @Test
    void componentsAreReplacedByAnEmptyListButNotClearedByNull() {
        SimulatedAgent agent = ready().status("error").components(components("FAILED", "input", "FAILED"));
        answeredAtOnce(agent);
        awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "error".equals(d.path("last_checkin_status").asString()));

        agent.status("starting").components(null);
        answeredAtOnce(agent);
        ObjectNode afterNull = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "starting".equals(d.path("last_checkin_status").asString()));
        assertThat(afterNull.path("components")).isEqualTo(components("FAILED", "input", "FAILED"));

        agent.status("online").components(Http.JSON.createArrayNode());
        poll(agent);
        ObjectNode afterEmpty = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "online".equals(d.path("last_checkin_status").asString()));
        assertThat(afterEmpty.path("components")).isEqualTo(Http.JSON.createArrayNode());
    }

    // ------------------------------------------------------------------ metadata and version (items 93, 94)

    @Test
    void changedLocalMetadataIsStored() {
        SimulatedAgent agent = ready();
        answeredAtOnce(agent);
        awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "info"
                        .equals(d.path("local_metadata")
                                .path("elastic")
                                .path("agent")
                                .path("log_level")
                                .asString()));

        agent.logLevel("debug");
        poll(agent);
        ObjectNode doc = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "debug"
                        .equals(d.path("local_metadata")
                                .path("elastic")
                                .path("agent")
                                .path("log_level")
                                .asString()));
        assertThat(doc.path("local_metadata").path("host").path("hostname").asString())
                .isEqualTo(agent.hostname());
    }

    @Test
    void theUserAgentVersionUpdatesAgentVersionAndKeepsAgentId() {
        SimulatedAgent agent = ready();
        assertThat(kibana.agentDocument(agent.agentId())
                        .path("agent")
                        .path("version")
                        .asString())
                .isEqualTo("9.5.0");

        agent.version("9.5.3");
        poll(agent);

        ObjectNode doc = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "9.5.3".equals(d.path("agent").path("version").asString()));
        assertThat(doc.path("agent").path("id").asString()).isEqualTo(agent.agentId());
    }

    // ------------------------------------------------------------------ audit clean-up (item 95)

    @Test
    void aCheckinRemovesTheAuditUnenrollFields() {
        SimulatedAgent agent = ready();
        ObjectNode audit = Http.JSON.createObjectNode();
        audit.put("audit_unenrolled_reason", "uninstall");
        audit.put("audit_unenrolled_time", SimulatedKibana.now());
        audit.put("unenrolled_at", SimulatedKibana.now());
        kibana.updateAgent(agent.agentId(), audit);
        agent.status("starting");
        Instant sent = Instant.now();

        poll(agent);

        ObjectNode doc = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "starting".equals(d.path("last_checkin_status").asString())
                        && after(d.path("last_checkin"), sent));
        assertThat(doc.has("audit_unenrolled_reason")).as("%s", doc).isFalse();
        assertThat(doc.has("audit_unenrolled_time")).as("%s", doc).isFalse();
        assertThat(doc.has("unenrolled_at")).as("%s", doc).isFalse();
        assertThat(doc.path("active").asBoolean()).isTrue();
    }

    // ------------------------------------------------------------------ rollbacks (item 100)

    @Test
    void reportedRollbacksAreStoredAndClearedWhenNoLongerReported() {
        SimulatedAgent agent = ready();
        ObjectNode rollback = object("{\"version\":\"9.5.0\",\"valid_until\":\"2026-01-01T00:00:00Z\"}");
        answeredAtOnce(
                agent, body -> body.putObject("upgrade").putArray("rollbacks").add(rollback));

        ObjectNode doc = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> d.path("upgrade").path("rollbacks").isArray()
                        && !d.path("upgrade").path("rollbacks").isEmpty());
        assertThat(doc.path("upgrade").path("rollbacks"))
                .isEqualTo(Http.JSON.createArrayNode().add(rollback));

        agent.status("starting");
        poll(agent); // "upgrade": {} — no rollbacks any more
        ObjectNode cleared = awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "starting".equals(d.path("last_checkin_status").asString()));
        assertThat(cleared.path("upgrade").path("rollbacks"))
                .as("upgrade: %s", cleared.path("upgrade"))
                .isEqualTo(Http.JSON.createArrayNode());
    }

    // ------------------------------------------------------------------ client disconnect (agent-api §10.12)

    /**
     * An agent that abandons its poll (client disconnect: {@code on_state_change} mode, an UNENROLL, a restart)
     * ends that poll (agent-api §10.12, algorithms §4 step 9). Its refreshes must stop: otherwise the server keeps
     * marking a gone agent as checked in, and keeps writing the abandoned request's status over newer ones.
     */
    @Test
    void anAbandonedPollStopsRefreshingTheAgent() {
        SimulatedAgent agent = ready().status("starting").message("abandoned");
        CompletableFuture<SimulatedAgent.Checkin> abandoned = poll(agent);
        awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "abandoned".equals(d.path("last_checkin_message").asString()));
        abandoned.cancel(true);
        Instant gone = Instant.now();

        Scenarios.sleep(Duration.ofSeconds(7)); // several 2 s flush intervals and refresh ticks

        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(instant(doc.path("last_checkin")))
                .as("last_checkin after the agent went away at %s: %s", gone, doc.path("last_checkin"))
                .isBeforeOrEqualTo(gone.plusSeconds(2));
    }

    /** The same seen from the agent's side: after abandoning a poll, its next checkin's status sticks. */
    @Test
    void theStatusOfTheNextCheckinIsNotOverwrittenByAnAbandonedPoll() {
        SimulatedAgent agent = ready().status("starting").message("first");
        poll(agent);
        awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "first".equals(d.path("last_checkin_message").asString()));

        agent.status("DEGRADED").message("second");
        poll(agent); // abandons the first one
        awaitAgentDocument(
                kibana,
                agent.agentId(),
                FLUSHED,
                d -> "second".equals(d.path("last_checkin_message").asString()));
        Scenarios.sleep(Duration.ofSeconds(7)); // several 2 s flushes
        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(doc.path("last_checkin_status").asString() + " / "
                        + doc.path("last_checkin_message").asString())
                .as("status / message a flush later")
                .isEqualTo("DEGRADED / second");
    }

    // ------------------------------------------------------------------ last_checkin during a held poll (item 64)

    @Test
    void lastCheckinKeepsAdvancingWhileAPollIsHeld() {
        SimulatedAgent agent = ready();
        Instant start = Instant.now();
        CompletableFuture<SimulatedAgent.Checkin> held = poll(agent);

        Set<String> seen = new LinkedHashSet<>();
        while (Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(23)) < 0) {
            assertThat(held).as("the poll is still held").isNotDone();
            JsonNode lastCheckin = kibana.agentDocument(agent.agentId()).path("last_checkin");
            if (after(lastCheckin, start)) {
                seen.add(lastCheckin.asString());
            }
            Scenarios.sleep(Duration.ofMillis(500));
        }

        assertThat(seen).as("last_checkin values written during the poll").hasSizeGreaterThanOrEqualTo(2);
        Instant latest =
                seen.stream().map(Instant::parse).max(Instant::compareTo).orElseThrow();
        assertThat(latest)
                .as("a refresh written about 10 s or more into the poll")
                .isAfterOrEqualTo(start.plusSeconds(8).truncatedTo(ChronoUnit.SECONDS));
        SimulatedAgent.Checkin checkin = Scenarios.get(held, Duration.ofSeconds(10));
        assertThat(checkin.actions()).isEmpty();
    }
}
