package dev.fleetserver.conformance;

import static dev.fleetserver.conformance.Wire.assertFleetError;
import static dev.fleetserver.conformance.Wire.assertNoStackTrace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.conformance.Wire.Answer;
import dev.fleetserver.testsupport.KibanaSide;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.SimulatedAgent;
import dev.fleetserver.testsupport.TestConfigs;
import dev.fleetserver.testsupport.TestStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed requests to enroll, checkin and acks (agent-api §2–§6, §9–§11): each gets the status upstream gives, with
 * Fleet's error JSON, or the router's plain 404/405, and never a stack trace.
 */
@ExtendWith(NoSecretsInLogs.class)
class MalformedRequestsIT {

    private static final String UA = "Elastic Agent v9.5.0";
    private static final String ENROLL = "/api/fleet/agents/enroll?";
    private static final String DECODE_ENROLL = "Bad request: unable to decode enroll request";
    private static final String DECODE_CHECKIN = "Bad request: unable to decode checkin request";
    private static final String DECODE_ACK = "Bad request: unable to decode ack request";

    private static RunningServer server;
    private static String token;
    private static SimulatedAgent agent;

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestStore.current().config(TestConfigs.SHORT_POLLS))
                .awaitHealthy();
        KibanaSide kibana = TestStore.current().kibana(server);
        String policyId =
                kibana.createPolicy("malformed-" + UUID.randomUUID().toString().substring(0, 8));
        token = kibana.createEnrollmentToken(policyId);
        // never checked in: a checkin that is wrongly accepted answers at once with its POLICY_CHANGE
        agent = new SimulatedAgent(server.agentUri());
        assertThat(agent.enroll(token).statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---------------------------------------------------------------- request builders

    /** A request, described lazily because the server and the agent exist only after {@link #start()}. */
    record Request(String method, String target, Auth auth, String[] headers, byte[] body) {

        Answer send() {
            java.util.Set<String> named = new java.util.HashSet<>();
            for (int i = 0; i < headers.length; i += 2) {
                named.add(headers[i].toLowerCase(Locale.ROOT));
            }
            List<String[]> list = new ArrayList<>(Wire.agentHeaders(null));
            list.removeIf(header -> named.contains(header[0].toLowerCase(Locale.ROOT)));
            if (!named.contains("user-agent")) {
                list.addFirst(new String[] {"User-Agent", UA});
            }
            for (int i = 0; i < headers.length; i += 2) {
                list.add(new String[] {headers[i], headers[i + 1]});
            }
            switch (auth) {
                case ENROLLMENT -> list.add(new String[] {"Authorization", "ApiKey " + token});
                case AGENT -> list.add(new String[] {"Authorization", "ApiKey " + agent.accessApiKey()});
                case NONE -> {}
            }
            return Wire.raw(server.agentUri(), method, target.replace("{A}", agent.agentId()), list, body);
        }
    }

    enum Auth {
        NONE,
        ENROLLMENT,
        AGENT
    }

    private static final String[] NO_HEADERS = {};

    private static Request post(String target, Auth auth, String body, String... headers) {
        return new Request("POST", target, auth, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static Request postBytes(String target, Auth auth, byte[] body, String... headers) {
        return new Request("POST", target, auth, headers, body);
    }

    private static Request method(String method, String target, Auth auth) {
        return new Request(method, target, auth, NO_HEADERS, null);
    }

    private static String checkin() {
        return "/api/fleet/agents/{A}/checkin?";
    }

    private static String acks() {
        return "/api/fleet/agents/{A}/acks?";
    }

    // ---------------------------------------------------------------- expectations

    private static Consumer<Answer> badRequest(String messagePrefix) {
        return answer -> {
            assertFleetError(answer, 400, "BadRequest");
            assertThat(answer.message()).startsWith(messagePrefix);
        };
    }

    private static Consumer<Answer> fleet(int status, String error) {
        return answer -> assertFleetError(answer, status, error);
    }

    private static Consumer<Answer> generic500() {
        return Wire::assertGeneric500;
    }

    private static Consumer<Answer> notFound() {
        return answer -> {
            assertThat(answer.status()).as("%s", answer).isEqualTo(404);
            assertThat(answer.body()).isEqualTo("404 page not found\n");
            assertThat(answer.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT))
                    .isEqualTo("text/plain;charset=utf-8");
        };
    }

    private static Consumer<Answer> methodNotAllowed(String allowed) {
        return answer -> {
            assertThat(answer.status()).as("%s", answer).isEqualTo(405);
            assertThat(answer.body()).as("405 body").isEmpty();
            assertThat(answer.header("Allow")).as("Allow of %s", answer).contains(allowed);
        };
    }

    private static Arguments of(String name, Request request, Consumer<Answer> expectation) {
        return Arguments.of(name, request, expectation);
    }

    private static byte[] gzip(String text) {
        return Wire.gzip(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] truncatedGzip() {
        byte[] whole = gzip("{\"status\":\"online\",\"message\":\"" + "abc".repeat(2000) + "\"}");
        return Arrays.copyOf(whole, whole.length / 2);
    }

    static Stream<Arguments> cases() {
        String validCheckin = "{\"status\":\"online\",\"message\":\"Running\"}";
        String validEnroll = "{\"type\":\"PERMANENT\",\"metadata\":{\"local\":{}}}";
        byte[] bigAck =
                ("{\"events\":[],\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                // ---- enroll bodies
                of("enroll: array body", post(ENROLL, Auth.ENROLLMENT, "[]"), badRequest(DECODE_ENROLL)),
                of("enroll: string body", post(ENROLL, Auth.ENROLLMENT, "\"PERMANENT\""), badRequest(DECODE_ENROLL)),
                of(
                        "enroll: truncated JSON",
                        post(ENROLL, Auth.ENROLLMENT, "{\"type\":\"PERMANENT\""),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: type is a number",
                        post(ENROLL, Auth.ENROLLMENT, "{\"type\":123}"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: metadata is a string",
                        post(ENROLL, Auth.ENROLLMENT, "{\"type\":\"PERMANENT\",\"metadata\":\"x\"}"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: tags is a string",
                        post(ENROLL, Auth.ENROLLMENT, "{\"type\":\"PERMANENT\",\"metadata\":{\"tags\":\"a\"}}"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: tags holds numbers",
                        post(ENROLL, Auth.ENROLLMENT, "{\"type\":\"PERMANENT\",\"metadata\":{\"tags\":[1]}}"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: id is a number",
                        post(ENROLL, Auth.ENROLLMENT, "{\"type\":\"PERMANENT\",\"id\":5}"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: replace_token is a boolean",
                        post(ENROLL, Auth.ENROLLMENT, "{\"type\":\"PERMANENT\",\"replace_token\":true}"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: enrollment_id is an object",
                        post(ENROLL, Auth.ENROLLMENT, "{\"type\":\"PERMANENT\",\"enrollment_id\":{}}"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: a form instead of JSON",
                        post(
                                ENROLL,
                                Auth.ENROLLMENT,
                                "type=PERMANENT",
                                "Content-Type",
                                "application/x-www-form-urlencoded"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: XML instead of JSON",
                        post(ENROLL, Auth.ENROLLMENT, "<type>PERMANENT</type>", "Content-Type", "application/xml"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: a gzip body (only checkin inflates)",
                        postBytes(ENROLL, Auth.ENROLLMENT, gzip(validEnroll), "Content-Encoding", "gzip"),
                        badRequest(DECODE_ENROLL)),
                of(
                        "enroll: bytes that are not UTF-8",
                        postBytes(ENROLL, Auth.ENROLLMENT, new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'}),
                        badRequest(DECODE_ENROLL)),
                // ---- enroll headers
                of(
                        "enroll: User-Agent twice",
                        post(ENROLL, Auth.ENROLLMENT, validEnroll, "User-Agent", UA, "User-Agent", UA),
                        generic500()),
                of(
                        "enroll: X-Request-Id twice",
                        post(ENROLL, Auth.ENROLLMENT, validEnroll, "X-Request-Id", "a", "X-Request-Id", "b"),
                        generic500()),
                of(
                        "enroll: Authorization twice",
                        post(ENROLL, Auth.ENROLLMENT, validEnroll, "Authorization", "ApiKey eDp5"),
                        fleet(400, "ErrMalformedHeader")),
                of(
                        "enroll: a bad API version is reported before the missing key",
                        post(ENROLL, Auth.NONE, validEnroll, "Elastic-Api-Version", "banana"),
                        fleet(400, "ErrInvalidAPIVersionFormat")),
                of(
                        "enroll: an unsupported API version",
                        post(ENROLL, Auth.ENROLLMENT, validEnroll, "Elastic-Api-Version", "2024-01-01"),
                        fleet(400, "ErrUnsupportedAPIVersion")),
                of(
                        "enroll: a version with trailing text",
                        post(ENROLL, Auth.ENROLLMENT, validEnroll, "Elastic-Api-Version", "2023-06-01x"),
                        fleet(400, "ErrInvalidAPIVersionFormat")),
                // ---- enroll methods and paths
                of("enroll: GET", method("GET", ENROLL, Auth.ENROLLMENT), methodNotAllowed("POST")),
                of("enroll: PUT", method("PUT", ENROLL, Auth.ENROLLMENT), methodNotAllowed("POST")),
                of("enroll: DELETE", method("DELETE", ENROLL, Auth.ENROLLMENT), methodNotAllowed("POST")),
                of("enroll: HEAD", method("HEAD", ENROLL, Auth.ENROLLMENT), answer -> {
                    assertThat(answer.status()).as("%s", answer).isEqualTo(405);
                    assertThat(answer.header("Allow")).contains("POST");
                }),
                of("enroll: OPTIONS", method("OPTIONS", ENROLL, Auth.ENROLLMENT), methodNotAllowed("POST")),
                of(
                        "enroll: trailing slash",
                        post("/api/fleet/agents/enroll/?", Auth.ENROLLMENT, validEnroll),
                        notFound()),
                of(
                        "enroll: unknown subpath",
                        post("/api/fleet/agents/enroll/extra?", Auth.ENROLLMENT, validEnroll),
                        notFound()),
                of(
                        "enroll: singular agent",
                        post("/api/fleet/agent/enroll?", Auth.ENROLLMENT, validEnroll),
                        notFound()),
                of(
                        "enroll: upper-case path",
                        post("/API/fleet/agents/enroll?", Auth.ENROLLMENT, validEnroll),
                        notFound()),
                of(
                        "POST on the agents collection",
                        post("/api/fleet/agents?", Auth.ENROLLMENT, validEnroll),
                        notFound()),
                // ---- checkin bodies
                of("checkin: array body", post(checkin(), Auth.AGENT, "[]"), badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: status is a number",
                        post(checkin(), Auth.AGENT, "{\"status\":5}"),
                        badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: message is a number",
                        post(checkin(), Auth.AGENT, "{\"status\":\"online\",\"message\":5}"),
                        badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: poll_timeout is a number",
                        post(checkin(), Auth.AGENT, "{\"status\":\"online\",\"poll_timeout\":300}"),
                        badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: ack_token is an array",
                        post(checkin(), Auth.AGENT, "{\"status\":\"online\",\"ack_token\":[]}"),
                        badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: policy_revision_idx is a string",
                        post(checkin(), Auth.AGENT, "{\"status\":\"online\",\"policy_revision_idx\":\"7\"}"),
                        badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: upgrade_details is a string",
                        post(checkin(), Auth.AGENT, "{\"status\":\"online\",\"upgrade_details\":\"x\"}"),
                        badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: truncated JSON",
                        post(checkin(), Auth.AGENT, "{\"status\":\"onl"),
                        badRequest(DECODE_CHECKIN)),
                of("checkin: empty body", post(checkin(), Auth.AGENT, ""), badRequest(DECODE_CHECKIN)),
                // upstream decodes null into an empty request ("checkin status missing"); any 400 will do
                of("checkin: JSON null", post(checkin(), Auth.AGENT, "null"), badRequest("Bad request: ")),
                of(
                        "checkin: XML",
                        post(checkin(), Auth.AGENT, "<status>online</status>", "Content-Type", "application/xml"),
                        badRequest(DECODE_CHECKIN)),
                // ---- checkin compression
                of(
                        "checkin: gzip body announced as GZIP (only the exact value inflates)",
                        postBytes(checkin(), Auth.AGENT, gzip(validCheckin), "Content-Encoding", "GZIP"),
                        badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: gzip body announced as deflate",
                        postBytes(checkin(), Auth.AGENT, gzip(validCheckin), "Content-Encoding", "deflate"),
                        badRequest(DECODE_CHECKIN)),
                of(
                        "checkin: Content-Encoding gzip with an empty body",
                        postBytes(checkin(), Auth.AGENT, new byte[0], "Content-Encoding", "gzip"),
                        badRequest("Bad request: unable to create gzip reader for request body")),
                // upstream fails while decoding JSON from the stream; a gzip reader error is as good
                of(
                        "checkin: truncated gzip stream",
                        postBytes(checkin(), Auth.AGENT, truncatedGzip(), "Content-Encoding", "gzip"),
                        badRequest("Bad request: ")),
                of(
                        "checkin: gzip of invalid JSON",
                        postBytes(checkin(), Auth.AGENT, gzip("{status:online}"), "Content-Encoding", "gzip"),
                        badRequest(DECODE_CHECKIN)),
                // ---- checkin headers
                of(
                        "checkin: X-Request-Id twice",
                        post(checkin(), Auth.AGENT, validCheckin, "X-Request-Id", "a", "X-Request-Id", "b"),
                        generic500()),
                of(
                        "checkin: User-Agent twice",
                        post(checkin(), Auth.AGENT, validCheckin, "User-Agent", UA, "User-Agent", UA),
                        generic500()),
                of(
                        "checkin: Elastic-Api-Version twice",
                        post(
                                checkin(),
                                Auth.AGENT,
                                validCheckin,
                                "Elastic-Api-Version",
                                "2023-06-01",
                                "Elastic-Api-Version",
                                "2023-06-01"),
                        generic500()),
                of(
                        "checkin: unsupported API version",
                        post(checkin(), Auth.AGENT, validCheckin, "Elastic-Api-Version", "1990-01-01"),
                        fleet(400, "ErrUnsupportedAPIVersion")),
                of(
                        "checkin: a 32 KiB header",
                        post(checkin(), Auth.AGENT, validCheckin, "X-Junk", "j".repeat(32 * 1024)),
                        answer -> {
                            assertThat(answer.status()).as("%s", answer).isEqualTo(431);
                            assertNoStackTrace(answer);
                        }),
                // ---- checkin methods and paths
                of("checkin: GET", method("GET", checkin(), Auth.AGENT), methodNotAllowed("POST")),
                of("checkin: PUT", method("PUT", checkin(), Auth.AGENT), methodNotAllowed("POST")),
                of("checkin: PATCH", method("PATCH", checkin(), Auth.AGENT), methodNotAllowed("POST")),
                of(
                        "checkin: trailing slash",
                        post("/api/fleet/agents/{A}/checkin/?", Auth.AGENT, validCheckin),
                        notFound()),
                of("checkin: plural", post("/api/fleet/agents/{A}/checkins?", Auth.AGENT, validCheckin), notFound()),
                of(
                        "checkin: extra segment",
                        post("/api/fleet/agents/{A}/checkin/now?", Auth.AGENT, validCheckin),
                        notFound()),
                // ---- acks
                of("acks: array body", post(acks(), Auth.AGENT, "[]"), badRequest(DECODE_ACK)),
                of("acks: events is an object", post(acks(), Auth.AGENT, "{\"events\":{}}"), badRequest(DECODE_ACK)),
                of("acks: events is a string", post(acks(), Auth.AGENT, "{\"events\":\"x\"}"), badRequest(DECODE_ACK)),
                of("acks: truncated JSON", post(acks(), Auth.AGENT, "{\"events\":["), badRequest(DECODE_ACK)),
                of("acks: empty body", post(acks(), Auth.AGENT, ""), badRequest(DECODE_ACK)),
                of(
                        "acks: a gzip body",
                        postBytes(acks(), Auth.AGENT, gzip("{\"events\":[]}"), "Content-Encoding", "gzip"),
                        badRequest(DECODE_ACK)),
                of("acks: over 2 MiB", postBytes(acks(), Auth.AGENT, bigAck), answer -> {
                    assertFleetError(answer, 400, "BadRequest");
                    assertThat(answer.message())
                            .isEqualTo("Bad request: unable to decode ack request: http: request body too large");
                }),
                of(
                        "acks: X-Request-Id twice",
                        post(acks(), Auth.AGENT, "{}", "X-Request-Id", "a", "X-Request-Id", "b"),
                        generic500()),
                of("acks: GET", method("GET", acks(), Auth.AGENT), methodNotAllowed("POST")),
                of("acks: DELETE", method("DELETE", acks(), Auth.AGENT), methodNotAllowed("POST")),
                of("acks: extra segment", post("/api/fleet/agents/{A}/acks/extra?", Auth.AGENT, "{}"), notFound()),
                // ---- others
                of("status: TRACE", method("TRACE", "/api/status", Auth.NONE), methodNotAllowed("GET")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void malformedRequestsGetUpstreamsAnswerAndNoStackTrace(
            String name, Request request, Consumer<Answer> expectation) {
        Answer answer = request.send();
        try {
            assertNoStackTrace(answer);
            expectation.accept(answer);
            if (answer.status() != 431) {
                assertThat(answer.header("X-Request-Id"))
                        .as("X-Request-Id of %s", answer)
                        .isNotBlank();
            }
        } catch (AssertionError failure) {
            throw new AssertionError(name + ": " + failure.getMessage(), failure);
        }
    }
}
