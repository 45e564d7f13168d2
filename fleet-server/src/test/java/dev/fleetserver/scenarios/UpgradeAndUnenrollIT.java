package dev.fleetserver.scenarios;

import static dev.fleetserver.scenarios.Scenarios.awaitAgentDocument;
import static dev.fleetserver.scenarios.Scenarios.instant;
import static dev.fleetserver.scenarios.Scenarios.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upgrades and unenrollment from the agent's side: {@code upgrade_details} progress on checkins (agent-api
 * §10.9, items 96–99), UPGRADE acks (§11.5, item 118) and UNENROLL / MIGRATE acks that switch the agent off and
 * revoke its keys (§11.4, items 115–117; algorithms §15 item 16).
 */
@ExtendWith(NoSecretsInLogs.class)
class UpgradeAndUnenrollIT {

    private static final Duration FLUSH = Duration.ofSeconds(20);

    private static RunningServer server;
    private static KibanaSide kibana;
    private static String policyId;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config("""
                                  timeouts:
                                    checkin_long_poll: 3s
                                    checkin_jitter: 0s
                            """)).awaitHealthy();
        kibana = TestStore.current().kibana(server);
        policyId = Scenarios.newPolicy(kibana);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Scenarios.Ready ready() {
        return Scenarios.ready(server.agentUri(), kibana, policyId);
    }

    /** Kibana's UPGRADE: the action plus {@code upgrade_started_at} on the agent. */
    private static ObjectNode deliverUpgrade(SimulatedAgent agent) {
        KibanaSide.IndexedAction upgrade = kibana.createAction(
                "UPGRADE",
                List.of(agent.agentId()),
                doc -> doc.set("data", object("{\"version\":\"9.5.3\",\"source_uri\":\"https://artifacts.example\"}")));
        ObjectNode started = Http.JSON.createObjectNode();
        started.put("upgrade_started_at", SimulatedKibana.now());
        kibana.updateAgent(agent.agentId(), started);
        Scenarios.letFollowersCatchUp();
        SimulatedAgent.Checkin checkin = agent.checkin();
        assertThat(checkin.actionIds()).as(String.valueOf(checkin.body())).containsExactly(upgrade.actionId());
        return checkin.actions().getFirst();
    }

    private static ObjectNode details(ObjectNode upgrade, String state, String metadata) {
        ObjectNode details = Http.JSON.createObjectNode();
        details.put("action_id", upgrade.path("id").asString());
        details.put("target_version", "9.5.3");
        details.put("state", state);
        details.set("metadata", object(metadata));
        return details;
    }

    /** Sends one checkin with these details; its synchronous write is visible once it has been accepted. */
    private static SimulatedAgent.Checkin checkinWith(SimulatedAgent agent, ObjectNode details) {
        agent.upgradeDetails(details);
        return agent.checkin();
    }

    // ------------------------------------------------------------------ upgrade_details (items 96–99)

    @Test
    void upgradeProgressIsStoredStateByStateAndTheEndSetsUpgradedAt() {
        SimulatedAgent agent = ready().agent();
        ObjectNode upgrade = deliverUpgrade(agent);

        ObjectNode requested = details(upgrade, "UPG_REQUESTED", "{}");
        assertThat(checkinWith(agent, requested).status()).isEqualTo(200);
        assertThat(kibana.agentDocument(agent.agentId()).path("upgrade_details"))
                .isEqualTo(requested);

        String scheduledAt = Instant.now().plus(1, ChronoUnit.HOURS).toString();
        ObjectNode scheduled = details(upgrade, "UPG_SCHEDULED", "{\"scheduled_at\":\"" + scheduledAt + "\"}");
        assertThat(checkinWith(agent, scheduled).status()).isEqualTo(200);
        JsonNode storedScheduled = kibana.agentDocument(agent.agentId()).path("upgrade_details");
        assertThat(storedScheduled.path("state").asString()).isEqualTo("UPG_SCHEDULED");
        assertThat(instant(storedScheduled.path("metadata").path("scheduled_at")))
                .isEqualTo(Instant.parse(scheduledAt));

        ObjectNode downloading = details(
                upgrade,
                "UPG_DOWNLOADING",
                "{\"download_percent\":12.5,\"download_rate\":\"1MBps\",\"junk\":\"dropped\"}");
        assertThat(checkinWith(agent, downloading).status()).isEqualTo(200);
        JsonNode storedDownloading = kibana.agentDocument(agent.agentId()).path("upgrade_details");
        assertThat(storedDownloading.path("state").asString()).isEqualTo("UPG_DOWNLOADING");
        assertThat(storedDownloading.path("action_id").asString())
                .isEqualTo(upgrade.path("id").asString());
        assertThat(storedDownloading.path("target_version").asString()).isEqualTo("9.5.3");
        JsonNode metadata = storedDownloading.path("metadata");
        assertThat(metadata.path("download_rate").isNumber())
                .as("download_rate stored as a number: %s", metadata)
                .isTrue();
        assertThat(metadata.path("download_rate").asDouble()).isEqualTo(1_000_000d);
        assertThat(metadata.path("download_percent").asDouble()).isEqualTo(12.5);
        assertThat(metadata.has("junk"))
                .as("only the four download fields are kept: %s", metadata)
                .isFalse();

        ObjectNode rate =
                details(upgrade, "UPG_DOWNLOADING", "{\"download_percent\":50,\"download_rate\":\"1.5MBps\"}");
        assertThat(checkinWith(agent, rate).status()).isEqualTo(200);
        assertThat(kibana.agentDocument(agent.agentId())
                        .path("upgrade_details")
                        .path("metadata")
                        .path("download_rate")
                        .asDouble())
                .isEqualTo(1_500_000d);

        for (String state : List.of("UPG_EXTRACTING", "UPG_REPLACING", "UPG_RESTARTING", "UPG_WATCHING")) {
            if (state.equals("UPG_WATCHING")) {
                // Kibana counts attempts; the new version watching itself clears them
                ObjectNode attempts = Http.JSON.createObjectNode();
                attempts.putArray("upgrade_attempts").add(SimulatedKibana.now());
                kibana.updateAgent(agent.agentId(), attempts);
            }
            ObjectNode next = details(upgrade, state, "{}");
            assertThat(checkinWith(agent, next).status()).as(state).isEqualTo(200);
            assertThat(kibana.agentDocument(agent.agentId())
                            .path("upgrade_details")
                            .path("state")
                            .asString())
                    .isEqualTo(state);
        }

        Instant beforeEnd = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        agent.upgradeDetails(null);
        assertThat(agent.checkin().status()).isEqualTo(200);
        ObjectNode done = kibana.agentDocument(agent.agentId());
        assertThat(done.path("upgrade_details").isNull()
                        || done.path("upgrade_details").isMissingNode())
                .as("upgrade_details cleared: %s", done.path("upgrade_details"))
                .isTrue();
        assertThat(done.path("upgrade_started_at").isNull()
                        || done.path("upgrade_started_at").isMissingNode())
                .as("upgrade_started_at cleared: %s", done.path("upgrade_started_at"))
                .isTrue();
        assertThat(done.path("upgraded_at").isString())
                .as("upgraded_at: %s", done)
                .isTrue();
        assertThat(instant(done.path("upgraded_at"))).isAfterOrEqualTo(beforeEnd);
        assertThat(done.path("upgrade_attempts").isNull()
                        || done.path("upgrade_attempts").isMissingNode())
                .as("upgrade_attempts cleared by UPG_WATCHING: %s", done.path("upgrade_attempts"))
                .isTrue();

        // later checkins without details change nothing: the upgrade finished once
        Scenarios.sleep(Duration.ofMillis(1100));
        assertThat(agent.checkin().status()).isEqualTo(200);
        assertThat(kibana.agentDocument(agent.agentId()).path("upgraded_at")).isEqualTo(done.path("upgraded_at"));
    }

    @Test
    void failedUpgradeDetailsNeedAnErrorMessage() {
        SimulatedAgent agent = ready().agent();
        ObjectNode upgrade = deliverUpgrade(agent);

        SimulatedAgent.Checkin empty = checkinWith(agent, details(upgrade, "UPG_FAILED", "{\"error_msg\":\"\"}"));
        assertThat(empty.status())
                .as("UPG_FAILED with an empty error_msg: %s", empty.body())
                .isEqualTo(500);

        SimulatedAgent.Checkin missing = checkinWith(agent, details(upgrade, "UPG_FAILED", "{}"));
        assertThat(missing.status())
                .as("UPG_FAILED without error_msg: %s", missing.body())
                .isEqualTo(500);

        SimulatedAgent.Checkin valid = checkinWith(
                agent,
                details(
                        upgrade,
                        "UPG_FAILED",
                        "{\"error_msg\":\"download failed\",\"failed_state\":\"UPG_DOWNLOADING\",\"download_percent\":3}"));
        assertThat(valid.status()).isEqualTo(200);
        JsonNode stored = kibana.agentDocument(agent.agentId()).path("upgrade_details");
        assertThat(stored.path("state").asString()).isEqualTo("UPG_FAILED");
        assertThat(stored.path("metadata"))
                .as("only failed_state and error_msg are kept")
                .isEqualTo(object("{\"error_msg\":\"download failed\",\"failed_state\":\"UPG_DOWNLOADING\"}"));
    }

    @Test
    void scheduledUpgradeDetailsNeedScheduledAt() {
        SimulatedAgent agent = ready().agent();
        ObjectNode upgrade = deliverUpgrade(agent);

        SimulatedAgent.Checkin missing = checkinWith(agent, details(upgrade, "UPG_SCHEDULED", "{}"));
        assertThat(missing.status())
                .as("UPG_SCHEDULED without scheduled_at: %s", missing.body())
                .isEqualTo(500);

        SimulatedAgent.Checkin zero =
                checkinWith(agent, details(upgrade, "UPG_SCHEDULED", "{\"scheduled_at\":\"0001-01-01T00:00:00Z\"}"));
        assertThat(zero.status())
                .as("UPG_SCHEDULED with a zero scheduled_at: %s", zero.body())
                .isEqualTo(500);
    }

    @Test
    void upgradeDetailsOfAnUnknownActionAreNotStored() {
        SimulatedAgent agent = ready().agent();
        ObjectNode unknown = Http.JSON.createObjectNode();
        unknown.put("id", "no-such-upgrade-action");
        SimulatedAgent.Checkin checkin = checkinWith(agent, details(unknown, "UPG_DOWNLOADING", "{}"));
        assertThat(checkin.status()).isEqualTo(200);
        JsonNode stored = kibana.agentDocument(agent.agentId()).path("upgrade_details");
        assertThat(stored.isMissingNode() || stored.isNull())
                .as("Q10: not stored: %s", stored)
                .isTrue();
    }

    // ------------------------------------------------------------------ UPGRADE acks (item 118)

    @Test
    void anUpgradeAckWithoutErrorMarksTheAgentUpgraded() {
        SimulatedAgent agent = ready().agent();
        ObjectNode upgrade = deliverUpgrade(agent);
        ObjectNode attempts = Http.JSON.createObjectNode();
        attempts.putArray("upgrade_attempts").add(SimulatedKibana.now());
        kibana.updateAgent(agent.agentId(), attempts);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        HttpResponse<String> ack = agent.ack(upgrade);

        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(doc.path("upgrade_started_at").isNull()
                        || doc.path("upgrade_started_at").isMissingNode())
                .as("upgrade_started_at: %s", doc.path("upgrade_started_at"))
                .isTrue();
        assertThat(doc.path("upgraded_at").isString())
                .as("upgraded_at: %s", doc)
                .isTrue();
        assertThat(instant(doc.path("upgraded_at"))).isAfterOrEqualTo(before);
        assertThat(doc.path("upgrade_attempts").isNull()
                        || doc.path("upgrade_attempts").isMissingNode())
                .as("upgrade_attempts cleared when there are no upgrade_details: %s", doc.path("upgrade_attempts"))
                .isTrue();
        assertThat(kibana.actionResults(upgrade.path("id").asString())).hasSize(1);
    }

    @Test
    void anUpgradeAckWithErrorAndRetryChangesNothing() {
        SimulatedAgent agent = ready().agent();
        ObjectNode upgrade = deliverUpgrade(agent);
        ObjectNode before = kibana.agentDocument(agent.agentId());

        ObjectNode event = agent.ackEvent(upgrade).put("error", "download failed");
        event.putObject("payload").put("retry", true).put("retry_attempt", 1);
        HttpResponse<String> ack = agent.ackEvents(event);

        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        ObjectNode after = kibana.agentDocument(agent.agentId());
        assertThat(after.path("upgrade_started_at")).isEqualTo(before.path("upgrade_started_at"));
        assertThat(after.path("upgraded_at")).isEqualTo(before.path("upgraded_at"));
        assertThat(kibana.actionResults(upgrade.path("id").asString())
                        .getFirst()
                        .path("error")
                        .asString())
                .isEqualTo("download failed");
    }

    @Test
    void anUpgradeAckWithErrorAndNoRetryClearsTheStartOnly() {
        SimulatedAgent agent = ready().agent();
        ObjectNode upgrade = deliverUpgrade(agent);
        ObjectNode earlier = Http.JSON.createObjectNode();
        earlier.put("upgraded_at", "2024-01-01T00:00:00Z");
        kibana.updateAgent(agent.agentId(), earlier);

        ObjectNode event = agent.ackEvent(upgrade).put("error", "gave up");
        event.putObject("payload").put("retry", false).put("retry_attempt", -1);
        HttpResponse<String> ack = agent.ackEvents(event);

        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        ObjectNode after = kibana.agentDocument(agent.agentId());
        assertThat(after.path("upgrade_started_at").isNull()
                        || after.path("upgrade_started_at").isMissingNode())
                .as("upgrade_started_at: %s", after.path("upgrade_started_at"))
                .isTrue();
        assertThat(after.path("upgraded_at").asString()).isEqualTo("2024-01-01T00:00:00Z");
    }

    @Test
    void anUpgradeAckWithErrorAndNoPayloadClearsTheStartOnly() {
        SimulatedAgent agent = ready().agent();
        ObjectNode upgrade = deliverUpgrade(agent);
        ObjectNode earlier = Http.JSON.createObjectNode();
        earlier.put("upgraded_at", "2024-01-01T00:00:00Z");
        kibana.updateAgent(agent.agentId(), earlier);

        HttpResponse<String> ack = agent.ackWithError(upgrade, "failed");

        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        ObjectNode after = kibana.agentDocument(agent.agentId());
        assertThat(after.path("upgrade_started_at").isNull()
                        || after.path("upgrade_started_at").isMissingNode())
                .as("upgrade_started_at: %s", after.path("upgrade_started_at"))
                .isTrue();
        assertThat(after.path("upgraded_at").asString()).isEqualTo("2024-01-01T00:00:00Z");
    }

    // ------------------------------------------------------------------ UNENROLL / MIGRATE (items 115–117)

    private static ObjectNode deliver(SimulatedAgent agent, String type) {
        KibanaSide.IndexedAction action = kibana.createAction(type, List.of(agent.agentId()));
        Scenarios.letFollowersCatchUp();
        SimulatedAgent.Checkin checkin = agent.checkin();
        assertThat(checkin.actionIds()).as(String.valueOf(checkin.body())).containsExactly(action.actionId());
        return checkin.actions().getFirst();
    }

    private static void assertUnenrolledWithKeysRevoked(Scenarios.Ready ready, Instant before, String... moreKeys) {
        SimulatedAgent agent = ready.agent();
        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(doc.path("active").asBoolean(true)).as("active: %s", doc).isFalse();
        assertThat(doc.path("unenrolled_at").isString())
                .as("unenrolled_at: %s", doc)
                .isTrue();
        assertThat(instant(doc.path("unenrolled_at"))).isAfterOrEqualTo(before);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(kibana.authenticates(agent.accessApiKey()))
                    .as("the access key is invalidated")
                    .isFalse();
            assertThat(kibana.authenticates(ready.outputKey()))
                    .as("the output key is invalidated")
                    .isFalse();
            for (String key : moreKeys) {
                assertThat(kibana.authenticates(key))
                        .as("retired output key %s is invalidated", SimulatedKibana.apiKeyId(key))
                        .isFalse();
            }
        });
        SimulatedAgent.Checkin after = agent.checkin();
        assertThat(after.status())
                .as("checkin after unenroll: %s", after.body())
                .isEqualTo(401);
        SimulatedAgent.Checkin again = agent.checkin();
        assertThat(again.status()).as("and again: %s", again.body()).isEqualTo(401);
    }

    @Test
    void anUnenrollAckDeactivatesTheAgentAndRevokesItsKeys() {
        Scenarios.Ready ready = ready();
        ObjectNode unenroll = deliver(ready.agent(), "UNENROLL");
        assertThat(unenroll.get("data").isNull()).isTrue();
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        HttpResponse<String> ack = ready.agent().ack(unenroll);

        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        assertThat(kibana.actionResults(unenroll.path("id").asString())).hasSize(1);
        assertUnenrolledWithKeysRevoked(ready, before);
    }

    @Test
    void anUnenrollAckAlsoRevokesRetiredOutputKeys() {
        Scenarios.Ready ready = ready();
        SimulatedAgent agent = ready.agent();
        // Kibana forces a new output key; the agent receives it but never acks a newer revision.
        kibana.updateAgent(agent.agentId(), object("{\"outputs\":{\"default\":{\"api_key\":\"\"}}}"));
        SimulatedAgent.Checkin rotated = agent.checkin();
        assertThat(rotated.actions("POLICY_CHANGE"))
                .as(String.valueOf(rotated.body()))
                .hasSize(1);
        String newKey = rotated.actions("POLICY_CHANGE")
                .getFirst()
                .path("data")
                .path("policy")
                .path("outputs")
                .path("default")
                .path("api_key")
                .asString();
        assertThat(SimulatedKibana.apiKeyId(newKey)).isNotEqualTo(SimulatedKibana.apiKeyId(ready.outputKey()));
        ObjectNode unenroll = deliver(agent, "UNENROLL");
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        assertThat(agent.ack(unenroll).statusCode()).isEqualTo(200);

        assertUnenrolledWithKeysRevoked(ready, before, newKey);
    }

    @Test
    void anUnenrollAckWithAnErrorLeavesTheAgentActive() {
        Scenarios.Ready ready = ready();
        SimulatedAgent agent = ready.agent();
        ObjectNode unenroll = deliver(agent, "UNENROLL");

        HttpResponse<String> ack = agent.ackWithError(unenroll, "tamper protection refused");

        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        List<ObjectNode> results = kibana.actionResults(unenroll.path("id").asString());
        assertThat(results).hasSize(1);
        assertThat(results.getFirst().path("error").asString()).isEqualTo("tamper protection refused");
        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(doc.path("active").asBoolean()).isTrue();
        assertThat(doc.has("unenrolled_at")).as("unenrolled_at: %s", doc).isFalse();
        assertThat(kibana.authenticates(agent.accessApiKey())).isTrue();
        assertThat(kibana.authenticates(ready.outputKey())).isTrue();
        CompletableFuture<SimulatedAgent.Checkin> next = agent.checkinAsync();
        SimulatedAgent.Checkin checkin = Scenarios.get(next, Duration.ofSeconds(10));
        assertThat(checkin.status()).isEqualTo(200);
    }

    @Test
    void aMigrateAckUnenrollsTheAgent() {
        Scenarios.Ready ready = ready();
        ObjectNode migrate = deliver(ready.agent(), "MIGRATE");
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        HttpResponse<String> ack = ready.agent().ack(migrate);

        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        assertUnenrolledWithKeysRevoked(ready, before);
    }

    @Test
    void aMigrateAckWithAnErrorLeavesTheAgentActive() {
        Scenarios.Ready ready = ready();
        ObjectNode migrate = deliver(ready.agent(), "MIGRATE");

        HttpResponse<String> ack = ready.agent().ackWithError(migrate, "running in a container");

        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        assertThat(kibana.agentDocument(ready.agentId()).path("active").asBoolean())
                .isTrue();
        assertThat(kibana.authenticates(ready.agent().accessApiKey())).isTrue();
    }

    @Test
    void unenrolledStateSurvivesLaterCheckinFlushes() {
        Scenarios.Ready ready = ready();
        SimulatedAgent agent = ready.agent();
        // a quiet checkin queues a state write that is flushed after the ack
        CompletableFuture<SimulatedAgent.Checkin> quiet = agent.checkinAsync();
        Scenarios.get(quiet, Duration.ofSeconds(10));
        ObjectNode unenroll = deliver(agent, "UNENROLL");
        assertThat(agent.ack(unenroll).statusCode()).isEqualTo(200);

        Scenarios.sleep(FLUSH.minusSeconds(8));
        ObjectNode doc = kibana.agentDocument(agent.agentId());
        assertThat(doc.path("active").asBoolean(true))
                .as("a checkin flush must not re-activate the agent: %s", doc)
                .isFalse();
        assertThat(doc.path("unenrolled_at").isString()).isTrue();
        awaitAgentDocument(
                kibana,
                agent.agentId(),
                Duration.ofSeconds(1),
                d -> !d.path("active").asBoolean(true));
    }
}
