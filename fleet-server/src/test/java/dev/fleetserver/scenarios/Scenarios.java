package dev.fleetserver.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestStore;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Shared steps of the agent scenarios: agents that are enrolled and run their first policy, raw writes. */
final class Scenarios {

    private Scenarios() {}

    static String newPolicy(KibanaSide kibana) {
        return kibana.createPolicy("policy-" + UUID.randomUUID().toString().substring(0, 8));
    }

    static SimulatedAgent enrolled(URI server, KibanaSide kibana, String policyId) {
        SimulatedAgent agent = new SimulatedAgent(server);
        HttpResponse<String> enrolled = agent.enroll(kibana.createEnrollmentToken(policyId));
        assertThat(enrolled.statusCode()).as("enroll: %s", enrolled.body()).isEqualTo(200);
        return agent;
    }

    /** An agent that enrolled, received the policy's latest revision, applied and acknowledged it. */
    record Ready(SimulatedAgent agent, ObjectNode policyChange) {

        String outputKey() {
            return policyChange
                    .path("data")
                    .path("policy")
                    .path("outputs")
                    .path("default")
                    .path("api_key")
                    .asString();
        }

        String agentId() {
            return agent.agentId();
        }
    }

    static Ready ready(URI server, KibanaSide kibana, String policyId) {
        SimulatedAgent agent = enrolled(server, kibana, policyId);
        SimulatedAgent.Checkin first = agent.checkin();
        assertThat(first.status()).as("first checkin: %s", first.body()).isEqualTo(200);
        assertThat(first.actions(("POLICY_CHANGE")))
                .as("first checkin: %s", first.body())
                .hasSize(1);
        ObjectNode policyChange = first.actions("POLICY_CHANGE").getFirst();
        agent.apply(policyChange);
        HttpResponse<String> ack = agent.ack(policyChange);
        assertThat(ack.statusCode()).as("policy ack: %s", ack.body()).isEqualTo(200);
        return new Ready(agent, policyChange);
    }

    /** Copies a Fleet identity (id, access key, ack token, applied policy) onto an agent for another server. */
    static SimulatedAgent sameAgentOn(URI server, SimulatedAgent original) {
        SimulatedAgent copy = new SimulatedAgent(server)
                .agentId(original.agentId())
                .accessApiKey(original.accessApiKey())
                .ackToken(original.ackToken());
        return copy;
    }

    /** Holds a checkin, waits until the server has most likely subscribed it, then returns the pending future. */
    static CompletableFuture<SimulatedAgent.Checkin> hold(SimulatedAgent agent) {
        CompletableFuture<SimulatedAgent.Checkin> held = agent.checkinAsync();
        sleep(Duration.ofMillis(700));
        assertThat(held).as("the checkin is held").isNotDone();
        return held;
    }

    static SimulatedAgent.Checkin get(CompletableFuture<SimulatedAgent.Checkin> held, Duration within) {
        try {
            return held.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the held checkin did not complete within " + within, e);
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Lets the server's followers pass everything written so far: Elasticsearch's index monitors poll every second,
     * the embedded store's feeds are woken by each commit.
     */
    static void letFollowersCatchUp() {
        sleep(TestStore.current() == TestStore.EMBEDDED ? Duration.ofMillis(500) : Duration.ofMillis(2500));
    }

    static JsonNode json(String text) {
        return Http.JSON.readTree(text);
    }

    static ObjectNode object(String text) {
        return (ObjectNode) Http.JSON.readTree(text);
    }

    /** The agent document once {@code condition} holds (waiting for checkin flushes). */
    static ObjectNode awaitAgentDocument(
            KibanaSide kibana, String agentId, Duration within, Predicate<ObjectNode> condition) {
        ObjectNode[] last = new ObjectNode[1];
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> {
                last[0] = kibana.agentDocument(agentId);
                return last[0] != null && condition.test(last[0]);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    "agent document did not reach the expected state within " + within + "; last seen: " + last[0], e);
        }
        return last[0];
    }

    static Instant instant(JsonNode value) {
        return OffsetDateTime.parse(value.asString()).toInstant();
    }

    /** A Kibana-like action document (one hour to live) for {@link KibanaSide#createActions}. */
    static ObjectNode actionDocument(String type, String actionId, List<String> agents, Consumer<ObjectNode> edit) {
        ObjectNode document = Http.JSON.createObjectNode();
        document.put("action_id", actionId);
        document.put("type", type);
        var list = document.putArray("agents");
        agents.forEach(list::add);
        Instant now = Instant.now();
        document.put("@timestamp", now.toString());
        document.put("expiration", now.plus(Duration.ofHours(1)).toString());
        document.putArray("namespaces").add("default");
        edit.accept(document);
        return document;
    }

    /** Parses a raw checkin response like {@link SimulatedAgent#checkin()} would, without touching the agent. */
    static JsonNode body(HttpResponse<String> response) {
        if (response.body() == null || response.body().isBlank()) {
            return null;
        }
        try {
            return Http.JSON.readTree(response.body());
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    static List<String> actionIds(JsonNode checkinBody) {
        List<String> ids = new ArrayList<>();
        if (checkinBody != null) {
            checkinBody
                    .path("actions")
                    .forEach(action -> ids.add(action.path("id").asString()));
        }
        return ids;
    }
}
