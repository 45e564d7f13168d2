package dev.fleetserver.scenarios;

import static dev.fleetserver.scenarios.Scenarios.awaitAgentDocument;
import static dev.fleetserver.scenarios.Scenarios.get;
import static dev.fleetserver.scenarios.Scenarios.hold;
import static dev.fleetserver.scenarios.Scenarios.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.ElasticsearchOnly;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stateless instances (README "Stateless instances"; algorithms §1.2, §4, §15 items 25 and 30; checklist item
 * 103): two servers against one node serve any agent at any moment, a re-created {@code .fleet-actions} index
 * does not stall delivery, and a restart in the middle of a long poll loses nothing.
 */
@ElasticsearchOnly("several servers share one store, and the .fleet-actions index is re-created")
@ExtendWith(NoSecretsInLogs.class)
class StatelessIT {

    private static final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static final Duration LIVE = Duration.ofSeconds(8);

    private static RunningServer a;
    private static RunningServer b;
    private static KibanaSide kibana;
    private static String policyId;

    private static FleetServerConfig config() {
        return TestStore.current().config("""
                                  timeouts:
                                    checkin_long_poll: 10s
                                    checkin_jitter: 0s
                            """);
    }

    @BeforeAll
    static void start() {
        a = RunningServer.start(config()).awaitHealthy();
        b = RunningServer.start(config()).awaitHealthy();
        kibana = TestStore.current().kibana(a);
        policyId = Scenarios.newPolicy(kibana);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    /** The same agent on another server, having applied {@code policyChange} (if any). */
    private static SimulatedAgent on(RunningServer server, SimulatedAgent agent, ObjectNode policyChange) {
        SimulatedAgent copy = Scenarios.sameAgentOn(server.agentUri(), agent);
        if (policyChange != null) {
            copy.apply(policyChange);
        }
        return copy;
    }

    private static SimulatedAgent on(URI server, SimulatedAgent agent, ObjectNode policyChange) {
        SimulatedAgent copy = Scenarios.sameAgentOn(server, agent);
        if (policyChange != null) {
            copy.apply(policyChange);
        }
        return copy;
    }

    // ------------------------------------------------------------------ any instance serves any agent

    @Test
    void enrolledOnACheckedInAndAcknowledgedOnB() {
        SimulatedAgent onA = Scenarios.enrolled(a.agentUri(), kibana, policyId);
        SimulatedAgent onB = on(b, onA, null);

        SimulatedAgent.Checkin first = onB.checkin();

        assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(200);
        assertThat(first.actionIds()).containsExactly("policy:" + policyId + ":1");
        ObjectNode policyChange = first.actions().getFirst();
        String outputKey = policyChange
                .path("data")
                .path("policy")
                .path("outputs")
                .path("default")
                .path("api_key")
                .asString();
        assertThat(kibana.authenticates(outputKey)).isTrue();
        onB.apply(policyChange);
        HttpResponse<String> ack = onB.ack(policyChange);
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        assertThat(kibana.agentDocument(onA.agentId())
                        .path("policy_revision_idx")
                        .asLong())
                .isEqualTo(1);

        // and back on A: the same key works, the revision is known there too
        SimulatedAgent backOnA = on(a, onB, policyChange);
        CompletableFuture<SimulatedAgent.Checkin> quiet = backOnA.checkinAsync();
        Scenarios.sleep(Duration.ofSeconds(2));
        assertThat(quiet).as("nothing to deliver on A either").isNotDone();
        quiet.cancel(true);
    }

    @Test
    void aRevisionAndAnActionWrittenWhileHeldOnBAreDeliveredThere() {
        Scenarios.Ready ready = Scenarios.ready(a.agentUri(), kibana, policyId);
        SimulatedAgent onB = on(b, ready.agent(), ready.policyChange());

        CompletableFuture<SimulatedAgent.Checkin> held = hold(onB);
        long revision = kibana.newRevision(
                policyId, data -> data.put("marker", UUID.randomUUID().toString()));
        SimulatedAgent.Checkin policy = get(held, LIVE);
        assertThat(policy.actionIds()).containsExactly("policy:" + policyId + ":" + revision);
        onB.apply(policy.actions().getFirst());
        assertThat(onB.ack(policy.actions().getFirst()).statusCode()).isEqualTo(200);

        CompletableFuture<SimulatedAgent.Checkin> heldAgain = hold(onB);
        KibanaSide.IndexedAction action = kibana.createAction("SETTINGS", List.of(onB.agentId()));
        SimulatedAgent.Checkin delivered = get(heldAgain, LIVE);
        assertThat(delivered.actionIds()).containsExactly(action.actionId());
        assertThat(delivered.ackToken()).isEqualTo(action.id());
        assertThat(onB.ack(delivered.actions().getFirst()).statusCode()).isEqualTo(200);
        assertThat(kibana.actionResults(action.actionId())).hasSize(1);
    }

    @Test
    void aCheckinHeldOnAIsAnsweredByAnActionForAnAgentEnrolledOnB() {
        Scenarios.Ready ready = Scenarios.ready(b.agentUri(), kibana, policyId);
        SimulatedAgent onA = on(a, ready.agent(), ready.policyChange());
        SimulatedAgent other = Scenarios.ready(b.agentUri(), kibana, policyId).agent();
        CompletableFuture<SimulatedAgent.Checkin> otherHeldOnB = other.checkinAsync();

        CompletableFuture<SimulatedAgent.Checkin> held = hold(onA);
        KibanaSide.IndexedAction action = kibana.createAction("REQUEST_DIAGNOSTICS", List.of(onA.agentId()));

        SimulatedAgent.Checkin delivered = get(held, LIVE);
        assertThat(delivered.actionIds()).containsExactly(action.actionId());
        assertThat(otherHeldOnB).as("another agent's poll on B is not answered").isNotDone();
        otherHeldOnB.cancel(true);
    }

    // ------------------------------------------------------------------ .fleet-actions re-created (algorithms §1.2)

    private static String actionsIndexBody() {
        try (InputStream mapping =
                StatelessIT.class.getResourceAsStream("/elasticsearch/mappings/fleet-actions.json")) {
            if (mapping == null) {
                throw new IllegalStateException("fleet-actions.json is not on the class path");
            }
            ObjectNode body = Http.JSON.createObjectNode();
            body.set(
                    "settings",
                    object("{\"number_of_shards\":1,\"auto_expand_replicas\":\"0-1\",\"index.hidden\":true}"));
            body.set("mappings", Http.JSON.readTree(new String(mapping.readAllBytes(), StandardCharsets.UTF_8)));
            return Http.JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void actionsWrittenAfterTheActionsIndexWasRecreatedAreStillDelivered() {
        Scenarios.Ready x = Scenarios.ready(a.agentUri(), kibana, policyId);
        Scenarios.Ready y = Scenarios.ready(b.agentUri(), kibana, policyId);
        SimulatedAgent agentX = x.agent();
        SimulatedAgent agentY = y.agent();
        // Both agents take ten actions, so their stored action_seq_no is beyond the start of a new index.
        List<ObjectNode> documents = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            documents.add(Scenarios.actionDocument(
                    "SETTINGS",
                    "before-" + i + "-" + UUID.randomUUID(),
                    List.of(agentX.agentId(), agentY.agentId()),
                    doc -> doc.set("data", object("{\"log_level\":\"info\"}"))));
        }
        List<KibanaSide.IndexedAction> before = kibana.createActions(documents);
        long lastSeqNo = before.getLast().seqNo();
        assertThat(lastSeqNo).isGreaterThanOrEqualTo(9);
        Scenarios.letFollowersCatchUp();
        for (SimulatedAgent agent : List.of(agentX, agentY)) {
            assertThat(agent.checkin().actions()).hasSize(10);
            CompletableFuture<SimulatedAgent.Checkin> flush = agent.checkinAsync();
            awaitAgentDocument(
                    kibana,
                    agent.agentId(),
                    Duration.ofSeconds(20),
                    d -> d.path("action_seq_no").path(0).asLong() == lastSeqNo);
            flush.cancel(true);
        }

        HttpResponse<String> deleted = admin.request("DELETE", "/.fleet-actions", null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        admin.json("PUT", "/.fleet-actions", actionsIndexBody());
        admin.json("GET", "/_cluster/health/.fleet-actions?wait_for_status=green&timeout=30s", null);
        Scenarios.sleep(Duration.ofSeconds(3)); // both servers' followers see the new index

        // live, to a checkin held on A with a token from the old index
        CompletableFuture<SimulatedAgent.Checkin> held = hold(agentX);
        KibanaSide.IndexedAction live = kibana.createAction("SETTINGS", List.of(agentX.agentId()));
        assertThat(live.seqNo()).isLessThan(lastSeqNo);
        SimulatedAgent.Checkin liveCheckin = get(held, LIVE);
        assertThat(liveCheckin.actionIds())
                .as("live delivery after re-creation: %s", liveCheckin.body())
                .containsExactly(live.actionId());
        assertThat(agentX.ack(liveCheckin.actions().getFirst()).statusCode()).isEqualTo(200);

        // pending, to a new checkin on B
        KibanaSide.IndexedAction pending = kibana.createAction("SETTINGS", List.of(agentY.agentId()));
        assertThat(pending.seqNo()).isLessThan(lastSeqNo);
        Scenarios.letFollowersCatchUp();
        SimulatedAgent.Checkin pendingCheckin = agentY.checkin();
        assertThat(pendingCheckin.actionIds())
                .as("pending delivery after re-creation: %s", pendingCheckin.body())
                .containsExactly(pending.actionId());
        assertThat(pendingCheckin.ackToken()).isEqualTo(pending.id());

        // and the new tokens resolve: nothing is sent twice
        for (SimulatedAgent agent : List.of(agentX, agentY)) {
            CompletableFuture<SimulatedAgent.Checkin> next = agent.checkinAsync();
            Scenarios.sleep(Duration.ofSeconds(2));
            if (next.isDone()) {
                assertThat(next.join().actionIds()).isEmpty();
            }
            next.cancel(true);
        }
    }

    /**
     * After re-creation the new index may already have grown past an agent's stored position by the time the agent
     * checks in (other agents' actions). The spec is silent (upstream stalls on any re-creation); an operator
     * expects the agent's own new action to arrive rather than be skipped for ever.
     */
    @Test
    void anActionWrittenAfterRecreationIsDeliveredEvenWhenTheNewIndexOutgrewTheStoredPosition() {
        Scenarios.Ready x = Scenarios.ready(a.agentUri(), kibana, policyId);
        SimulatedAgent agent = x.agent();
        List<ObjectNode> documents = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            documents.add(Scenarios.actionDocument(
                    "SETTINGS",
                    "before-" + i + "-" + UUID.randomUUID(),
                    List.of(agent.agentId()),
                    doc -> doc.set("data", object("{\"log_level\":\"info\"}"))));
        }
        kibana.createActions(documents);
        Scenarios.letFollowersCatchUp();
        assertThat(agent.checkin().actions()).hasSize(5);
        CompletableFuture<SimulatedAgent.Checkin> flush = agent.checkinAsync();
        ObjectNode stored = awaitAgentDocument(
                kibana,
                agent.agentId(),
                Duration.ofSeconds(20),
                d -> d.path("action_seq_no").path(0).asLong() >= 4);
        flush.cancel(true);
        long position = stored.path("action_seq_no").path(0).asLong();

        admin.json("DELETE", "/.fleet-actions", null);
        admin.json("PUT", "/.fleet-actions", actionsIndexBody());
        admin.json("GET", "/_cluster/health/.fleet-actions?wait_for_status=green&timeout=30s", null);
        Scenarios.sleep(Duration.ofSeconds(3));

        KibanaSide.IndexedAction mine = kibana.createAction("SETTINGS", List.of(agent.agentId()));
        List<ObjectNode> others = new ArrayList<>();
        for (long i = 0; i <= position + 5; i++) {
            others.add(Scenarios.actionDocument(
                    "SETTINGS",
                    "other-" + i + "-" + UUID.randomUUID(),
                    List.of("some-other-agent"),
                    doc -> doc.set("data", object("{\"log_level\":\"info\"}"))));
        }
        List<KibanaSide.IndexedAction> bulk = kibana.createActions(others);
        assertThat(mine.seqNo()).isLessThanOrEqualTo(position);
        assertThat(bulk.getLast().seqNo()).isGreaterThan(position);
        Scenarios.letFollowersCatchUp();

        SimulatedAgent onB = on(b, agent, x.policyChange());
        SimulatedAgent.Checkin checkin = onB.checkin();
        assertThat(checkin.actionIds())
                .as(
                        "stored position %d from the old index; the new action has _seq_no %d: %s",
                        position, mine.seqNo(), checkin.body())
                .containsExactly(mine.actionId());
    }

    // ------------------------------------------------------------------ restart mid long poll (item 103)

    @Test
    void aRestartAnswersTheHeldPollAndTheAgentCarriesOnWithTheNextServer() throws Exception {
        RunningServer first = RunningServer.start(config()).awaitHealthy();
        RunningServer second = null;
        try {
            Scenarios.Ready ready = Scenarios.ready(first.agentUri(), kibana, policyId);
            SimulatedAgent agent = ready.agent();
            KibanaSide.IndexedAction old = kibana.createAction("SETTINGS", List.of(agent.agentId()));
            Scenarios.letFollowersCatchUp();
            SimulatedAgent.Checkin got = agent.checkin();
            assertThat(got.actionIds()).containsExactly(old.actionId());
            assertThat(agent.ack(got.actions().getFirst()).statusCode()).isEqualTo(200);
            assertThat(agent.ackToken()).isEqualTo(old.id());

            CompletableFuture<SimulatedAgent.Checkin> held = hold(agent);
            long closing = System.nanoTime();
            Thread closer = Thread.ofPlatform().start(first::close);
            SimulatedAgent.Checkin answered = get(held, Duration.ofSeconds(10));
            Duration took = Duration.ofNanos(System.nanoTime() - closing);
            closer.join(Duration.ofSeconds(30));

            assertThat(answered.status()).as(String.valueOf(answered.body())).isEqualTo(200);
            assertThat(answered.body()).isEqualTo(object("{\"ack_token\":\"\",\"action\":\"checkin\"}"));
            assertThat(took).as("answered within the drain time").isLessThan(Duration.ofSeconds(10));
            assertThat(closer.isAlive()).as("the server stopped").isFalse();

            // written while no server runs
            KibanaSide.IndexedAction missed = kibana.createAction("SETTINGS", List.of(agent.agentId()));

            second = RunningServer.start(config()).awaitHealthy();
            SimulatedAgent again = on(second.agentUri(), agent, ready.policyChange());
            assertThat(again.ackToken()).isEqualTo(old.id());
            SimulatedAgent.Checkin next = again.checkin();
            assertThat(next.status()).as(String.valueOf(next.body())).isEqualTo(200);
            assertThat(next.actionIds())
                    .as("only what came after the token: %s", next.body())
                    .containsExactly(missed.actionId());
            assertThat(next.ackToken()).isEqualTo(missed.id());
            assertThat(again.ack(next.actions().getFirst()).statusCode()).isEqualTo(200);

            CompletableFuture<SimulatedAgent.Checkin> quiet = again.checkinAsync();
            Scenarios.sleep(Duration.ofSeconds(2));
            assertThat(quiet).as("nothing else is pending").isNotDone();
            quiet.cancel(true);
        } finally {
            first.close(); // closing again is harmless
            if (second != null) {
                second.close();
            }
        }
    }
}
