package dev.fleetserver.conformance;

import static dev.fleetserver.conformance.Wire.assertFleetError;
import static dev.fleetserver.conformance.Wire.assertGeneric500;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.conformance.Wire.Answer;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestConfigs;
import dev.fleetserver.testsupport.TestStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checkin request handling (agent-api §10.1–§10.4, §10.10; checklist items 56–63). Long polls are 4s without jitter
 * here. Requests that must be accepted use a freshly enrolled agent where possible: its pending POLICY_CHANGE answers
 * at once, whatever the poll duration.
 */
@ExtendWith(NoSecretsInLogs.class)
class CheckinRequestIT {

    private static final String TOO_LARGE =
            "Bad request: unable to decode checkin request: http: request body too large";

    private static RunningServer server;
    private static KibanaSide kibana;
    private static String policyId;
    private static String token;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config(TestConfigs.SHORT_POLLS))
                .awaitHealthy();
        kibana = TestStore.current().kibana(server);
        policyId = kibana.createPolicy("checkin-" + UUID.randomUUID().toString().substring(0, 8));
        token = kibana.createEnrollmentToken(policyId);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Enrolled, never checked in: its next checkin answers at once with the POLICY_CHANGE. */
    private static SimulatedAgent fresh() {
        SimulatedAgent agent = new SimulatedAgent(server.agentUri());
        assertThat(agent.enroll(token).statusCode()).isEqualTo(200);
        return agent;
    }

    /** Has applied and acknowledged its policy: its next checkin is a quiet long poll. */
    private static SimulatedAgent settled() {
        SimulatedAgent agent = fresh();
        ObjectNode policyChange = agent.checkin().actions().getFirst();
        agent.apply(policyChange);
        assertThat(agent.ack(policyChange).statusCode()).isEqualTo(200);
        return agent;
    }

    private static ObjectNode body(SimulatedAgent agent, Consumer<ObjectNode> edit) {
        ObjectNode body = agent.checkinBody();
        edit.accept(body);
        return body;
    }

    private static Answer send(SimulatedAgent agent, ObjectNode body, boolean gzip, String... headers) {
        return Answer.of(agent.checkinRaw(Http.JSON.writeValueAsBytes(body), gzip, headers));
    }

    private static Answer send(SimulatedAgent agent, byte[] body, boolean gzip, String... headers) {
        return Answer.of(agent.checkinRaw(body, gzip, headers));
    }

    private static void assertPolicyChange(Answer answer) {
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        JsonNode actions = answer.json().path("actions");
        assertThat(actions).as("%s", answer).hasSize(1);
        assertThat(actions.get(0).path("type").asString()).isEqualTo("POLICY_CHANGE");
        assertThat(answer.json().path("action").asString()).isEqualTo("checkin");
    }

    private static void assertQuiet(Answer answer) {
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        assertThat(answer.json())
                .as("a quiet checkin answer")
                .isEqualTo(Http.JSON.readTree("{\"ack_token\":\"\",\"action\":\"checkin\"}"));
    }

    // ---------------------------------------------------------------- body validation (items 56–57)

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"status\":\"\"}", "{\"message\":\"Running\"}", "{\"status\":null}"})
    void item56_aMissingOrEmptyStatusIs400(String body) {
        assertFleetError(
                send(fresh(), body.getBytes(StandardCharsets.UTF_8), true),
                400,
                "BadRequest",
                "Bad request: checkin status missing");
    }

    @Test
    void item57_anUnparseablePollTimeoutIs400() {
        SimulatedAgent agent = fresh();
        assertFleetError(
                send(agent, body(agent, b -> b.put("poll_timeout", "soon")), true),
                400,
                "BadRequest",
                "Bad request: poll_timeout cannot be parsed as duration: time: invalid duration \"soon\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "1x", "5 m", "m5", "--1s", "1h-1m", ""})
    void item57_otherInvalidGoDurationsAre400(String duration) {
        SimulatedAgent agent = fresh();
        Answer answer = send(agent, body(agent, b -> b.put("poll_timeout", duration)), true);
        assertFleetError(answer, 400, "BadRequest");
        assertThat(answer.message()).startsWith("Bad request: poll_timeout cannot be parsed as duration: time: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"14m30s", "1h", "1.5h", "-30s", "0s", "0", "300ms", "1us", "1µs", "2h45m0.5s", "+5m"})
    void validGoDurationsAreAccepted(String duration) {
        SimulatedAgent agent = fresh();
        assertPolicyChange(send(agent, body(agent, b -> b.put("poll_timeout", duration)), true));
    }

    // ---------------------------------------------------------------- sizes and gzip (items 58–60)

    /** A checkin body of exactly {@code size} bytes: padding in an unknown field, JSON ending at the last byte. */
    private static byte[] padded(int size) {
        String head = "{\"status\":\"online\",\"message\":\"Running\",\"pad\":\"";
        String tail = "\"}";
        return (head + "x".repeat(size - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void item58_aBodyOver1MiBOnTheWireIs400() {
        assertFleetError(send(fresh(), padded(1536 * 1024), false), 400, "BadRequest", TOO_LARGE);
        assertFleetError(send(fresh(), padded(1024 * 1024 + 1), false), 400, "BadRequest", TOO_LARGE);
    }

    @Test
    void item58_aBodyOfExactly1MiBIsAccepted() {
        assertPolicyChange(send(fresh(), padded(1024 * 1024), false));
    }

    @Test
    void item59_aGzipBodyIsAccepted() {
        SimulatedAgent agent = fresh();
        assertPolicyChange(send(agent, agent.checkinBody(), true));
    }

    @Test
    void aPlainBodyIsAccepted() {
        SimulatedAgent agent = fresh();
        assertPolicyChange(send(agent, agent.checkinBody(), false));
    }

    @Test
    void item59_invalidGzipIs400() {
        assertFleetError(
                send(
                        fresh(),
                        "{\"status\":\"online\"}".getBytes(StandardCharsets.UTF_8),
                        false,
                        "Content-Encoding",
                        "gzip"),
                400,
                "BadRequest",
                "Bad request: unable to create gzip reader for request body: gzip: invalid header");
    }

    @Test
    void item60_gzipThatDecompressesBeyond20MiBIs400() {
        byte[] bomb = Wire.gzip(padded(21 * 1024 * 1024));
        assertThat(bomb.length).isLessThan(1024 * 1024);
        Answer answer = send(fresh(), bomb, false, "Content-Encoding", "gzip");
        assertFleetError(answer, 400, "BadRequest");
        assertThat(answer.message()).startsWith("Bad request: ").contains("request body too large");
    }

    @Test
    void item60_gzipThatDecompressesBeyond1MiBButUnder20MiBIsAccepted() {
        assertPolicyChange(send(fresh(), Wire.gzip(padded(19 * 1024 * 1024)), false, "Content-Encoding", "gzip"));
    }

    // ---------------------------------------------------------------- long polls (items 61–63, 102)

    @Test
    void item61_item102_aQuietCheckinAnswersAfterTheLongPollUncompressed() {
        SimulatedAgent agent = settled();
        long start = System.nanoTime();
        Answer answer = send(agent, agent.checkinBody(), true);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertQuiet(answer);
        assertThat(answer.json().has("actions")).isFalse();
        assertThat(elapsed).isBetween(Duration.ofMillis(3500), Duration.ofSeconds(8));
        assertThat(answer.header("Content-Encoding"))
                .as("a quiet answer is never compressed")
                .isNull();
        assertThat(answer.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void item62_pollTimeoutIsHonouredAndClampedToAtLeastOneMinute() throws Exception {
        // poll := max(min(poll_timeout - 2m, checkin_max_poll), 1m); "0s" is the same as absent (§10.4)
        Map<String, CompletableFuture<Duration>> polls = new LinkedHashMap<>();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        for (String timeout : List.of("3m", "30s", "2m30s", "0s")) {
            SimulatedAgent agent = settled();
            byte[] body = Http.JSON.writeValueAsBytes(body(agent, b -> b.put("poll_timeout", timeout)));
            polls.put(
                    timeout,
                    CompletableFuture.supplyAsync(
                            () -> {
                                long start = System.nanoTime();
                                Answer answer = send(agent, body, true);
                                assertQuiet(answer);
                                return Duration.ofNanos(System.nanoTime() - start);
                            },
                            threads));
        }
        assertThat(polls.get("0s").get()).as("0s").isBetween(Duration.ofMillis(3500), Duration.ofSeconds(8));
        for (String timeout : List.of("3m", "30s", "2m30s")) {
            assertThat(polls.get(timeout).get()).as(timeout).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(66));
        }
    }

    // ---------------------------------------------------------------- what agents send (items 56ff., §10.1)

    @Test
    void componentsNullIsAccepted() {
        SimulatedAgent agent = fresh();
        assertPolicyChange(send(agent, body(agent, b -> b.putNull("components")), true));
    }

    @Test
    void anEmptyUpgradeObjectAndAMalformedRollbackListAreAccepted() {
        SimulatedAgent agent = fresh();
        assertPolicyChange(send(agent, body(agent, b -> b.putObject("upgrade")), true));
        SimulatedAgent other = fresh();
        assertPolicyChange(send(other, body(other, b -> b.putObject("upgrade").put("rollbacks", "nope")), true));
    }

    @Test
    void onlyStatusIsRequired() {
        assertPolicyChange(send(fresh(), "{\"status\":\"online\"}".getBytes(StandardCharsets.UTF_8), true));
        SimulatedAgent agent = fresh();
        assertPolicyChange(send(agent, body(agent, b -> b.put("message", "")), true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"DEGRADED", "starting", "anything-goes"})
    void anyNonEmptyStatusIsAcceptedAndStoredVerbatim(String status) {
        SimulatedAgent agent = fresh();
        assertPolicyChange(send(agent, body(agent, b -> b.put("status", status)), true));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(kibana.agentDocument(agent.agentId())
                                .path("last_checkin_status")
                                .asString())
                        .isEqualTo(status));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"x\"", "{\"a\":1}", "[1]", "[\"x\"]"})
    void malformedComponentsAreTheGeneric500(String components) {
        SimulatedAgent agent = fresh();
        String body = "{\"status\":\"online\",\"message\":\"\",\"components\":" + components + "}";
        assertGeneric500(send(agent, body.getBytes(StandardCharsets.UTF_8), true));
    }

    @Test
    void aMissingUserAgentIsTheGeneric500() {
        SimulatedAgent agent = fresh();
        assertGeneric500(send(agent, agent.checkinBody(), true, "User-Agent", null));
    }

    @Test
    void anInvalidOrTooNewUserAgentIs400() {
        SimulatedAgent agent = fresh();
        assertFleetError(
                send(agent, agent.checkinBody(), true, "User-Agent", "curl/8.0"),
                400,
                "InvalidUserAgent",
                "user-agent is invalid");
        assertFleetError(
                send(agent, agent.checkinBody(), true, "User-Agent", "Elastic Agent v9.6.0"),
                400,
                "UnsupportedVersion",
                "version is not supported");
    }

    @Test
    void theCheckinPathWithAndWithoutTheTrailingQuestionMark() {
        SimulatedAgent withMark = fresh();
        assertPolicyChange(send(withMark, withMark.checkinBody(), true));

        SimulatedAgent without = fresh();
        List<String[]> headers = new ArrayList<>(Wire.agentHeaders("Elastic Agent v9.5.0"));
        headers.add(new String[] {"Authorization", "ApiKey " + without.accessApiKey()});
        assertPolicyChange(Wire.raw(
                server.agentUri(),
                "POST",
                "/api/fleet/agents/" + without.agentId() + "/checkin",
                headers,
                Http.JSON.writeValueAsBytes(without.checkinBody())));
    }
}
