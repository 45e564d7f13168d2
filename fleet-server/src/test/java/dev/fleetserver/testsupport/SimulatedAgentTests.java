package dev.fleetserver.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulated agent's own wire format, against a stub server that records what it receives: this tests the
 * fixture, not the Fleet Server.
 */
class SimulatedAgentTests {

    private static final String ENROLLED = """
            {"action":"created","item":{"id":"agent-1","active":true,"policy_id":"pol-t","type":"PERMANENT",
             "enrolled_at":"2026-08-21T09:15:02Z","access_api_key_id":"k-91",
             "access_api_key":"azkxOnNlY3JldC12YWx1ZS0x","tags":[],"local_metadata":{},
             "user_provided_metadata":null,"status":"online"}}
            """;

    private static final String POLICY_CHANGE = """
            {"action":"checkin","ack_token":"token-1","actions":[
              {"id":"policy:pol-t:1","type":"POLICY_CHANGE","agent_id":"agent-1","created_at":"2026-08-21T09:15:03Z",
               "input_type":"","data":{"policy":{"id":"pol-t","revision":1,"outputs":{}}}}]}
            """;

    record Captured(String method, URI target, Headers headers, byte[] body) {
        JsonNode json() {
            return Http.JSON.readTree(body);
        }

        JsonNode gunzippedJson() {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                return Http.JSON.readTree(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    record Reply(int status, String body, boolean gzip, boolean chunked, CountDownLatch hold) {
        static Reply json(int status, String body) {
            return new Reply(status, body, false, false, null);
        }
    }

    private HttpServer server;
    private final BlockingQueue<Captured> received = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedDeque<Reply> replies = new ConcurrentLinkedDeque<>();
    private SimulatedAgent agent;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        agent = new SimulatedAgent(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        received.add(new Captured(
                exchange.getRequestMethod(), exchange.getRequestURI(), exchange.getRequestHeaders(), body));
        Reply reply = replies.poll();
        if (reply == null) {
            reply = Reply.json(500, "{\"error\":\"no reply scripted\"}");
        }
        if (reply.hold() != null) {
            try {
                reply.hold().await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        if (reply.gzip()) {
            bytes = gzip(bytes);
            exchange.getResponseHeaders().add("Content-Encoding", "gzip");
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(reply.status(), reply.chunked() ? 0 : bytes.length == 0 ? -1 : bytes.length);
            out.write(bytes);
        } catch (IOException clientGone) {
            // the agent abandoned the request
        }
    }

    private Captured next() throws InterruptedException {
        Captured captured = received.poll(10, TimeUnit.SECONDS);
        assertThat(captured).as("a request reached the stub").isNotNull();
        return captured;
    }

    private void enroll() throws InterruptedException {
        replies.add(Reply.json(200, ENROLLED));
        agent.enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ=");
        next();
    }

    private static void assertAgentHeaders(Captured request, String authorization) {
        Headers headers = request.headers();
        assertThat(headers.getFirst("User-Agent")).isEqualTo("Elastic Agent v9.5.0");
        assertThat(headers.getFirst("Elastic-Api-Version")).isEqualTo("2023-06-01");
        assertThat(headers.getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(headers.getFirst("Accept")).isEqualTo("application/json");
        assertThat(headers.getFirst("kbn-xsrf")).isEqualTo("1");
        assertThat(headers.getFirst("X-Request-ID")).hasSize(26).matches("[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(headers.getFirst("Accept-Encoding")).isEqualTo("gzip");
        assertThat(headers.getFirst("Authorization")).isEqualTo(authorization);
    }

    @Test
    void enrollSendsTheAgentsRequestAndKeepsTheKey() throws InterruptedException {
        replies.add(Reply.json(200, ENROLLED));

        HttpResponse<String> response = agent.enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ=");

        assertThat(response.statusCode()).isEqualTo(200);
        Captured request = next();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.target().toString()).isEqualTo("/api/fleet/agents/enroll?");
        assertThat(request.target().getRawQuery()).isEmpty();
        assertAgentHeaders(request, "ApiKey ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ=");
        assertThat(request.headers().containsKey("Content-Encoding")).isFalse();
        JsonNode body = request.json();
        assertThat(body.path("type").asString()).isEqualTo("PERMANENT");
        assertThat(body.path("id").isString()).isTrue();
        assertThat(body.path("id").asString()).isEmpty();
        assertThat(body.path("replace_token").asString()).isEmpty();
        assertThat(body.path("metadata").path("tags").isNull()).isTrue();
        assertThat(body.path("metadata").path("user_provided").isObject()).isTrue();
        assertThat(body.path("metadata").path("user_provided").isEmpty()).isTrue();
        JsonNode local = body.path("metadata").path("local");
        assertThat(local.path("elastic").path("agent").path("id").asString()).hasSize(36);
        assertThat(local.path("elastic").path("agent").path("version").asString())
                .isEqualTo("9.5.0");
        assertThat(local.path("elastic").path("agent").path("snapshot").asBoolean())
                .isFalse();
        assertThat(local.path("elastic").path("agent").path("upgradeable").asBoolean())
                .isTrue();
        assertThat(local.path("elastic").path("agent").path("log_level").asString())
                .isEqualTo("info");
        assertThat(local.path("host").path("hostname").asString()).isEqualTo(agent.hostname());
        assertThat(local.path("os").path("platform").asString()).isEqualTo("ubuntu");

        assertThat(agent.agentId()).isEqualTo("agent-1");
        assertThat(agent.accessApiKey()).isEqualTo("azkxOnNlY3JldC12YWx1ZS0x");
        assertThat(agent.ackToken()).isNull();
    }

    @Test
    void aBodyEditChangesTheEnrollRequest() throws InterruptedException {
        replies.add(Reply.json(200, ENROLLED));

        agent.version("9.5.2").enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ=", body -> body.put("id", "my-id"));

        Captured request = next();
        assertThat(request.json().path("id").asString()).isEqualTo("my-id");
        assertThat(request.headers().getFirst("User-Agent")).isEqualTo("Elastic Agent v9.5.2");
    }

    @Test
    void enrollResponsesTheAgentRejectsFail() {
        replies.add(Reply.json(200, ENROLLED.replace("\"PERMANENT\"", "\"TEMPORARY\"")));
        assertThatThrownBy(() -> agent.enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ="))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("item.type");

        replies.add(Reply.json(200, ENROLLED.replace("\"2026-08-21T09:15:02Z\"", "12")));
        assertThatThrownBy(() -> agent.enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ="))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("enrolled_at");

        replies.add(Reply.json(201, ENROLLED));
        assertThatThrownBy(() -> agent.enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ="))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("201");

        replies.add(Reply.json(401, "{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"no\"}"));
        assertThat(agent.enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ=").statusCode())
                .isEqualTo(401);
        assertThat(agent.agentId()).isNull();
    }

    @Test
    void checkinIsGzippedAndReportsWhatTheAgentHolds() throws InterruptedException {
        enroll();
        replies.add(new Reply(200, POLICY_CHANGE, true, true, null));

        SimulatedAgent.Checkin first = agent.checkin();

        Captured request = next();
        assertThat(request.target().toString()).isEqualTo("/api/fleet/agents/agent-1/checkin?");
        assertAgentHeaders(request, "ApiKey azkxOnNlY3JldC12YWx1ZS0x");
        assertThat(request.headers().getFirst("Content-Encoding")).isEqualTo("gzip");
        JsonNode body = request.gunzippedJson();
        assertThat(body.path("status").asString()).isEqualTo("online");
        assertThat(body.path("message").asString()).isEqualTo("Running");
        assertThat(body.has("ack_token")).isFalse();
        assertThat(body.has("agent_policy_id")).isFalse();
        assertThat(body.has("policy_revision_idx")).isFalse();
        assertThat(body.has("upgrade_details")).isFalse();
        assertThat(body.has("poll_timeout")).isFalse();
        assertThat(body.path("components").isArray()).isTrue();
        assertThat(body.path("components").isEmpty()).isTrue();
        assertThat(body.path("upgrade").isObject()).isTrue();
        assertThat(body.path("upgrade").isEmpty()).isTrue();
        assertThat(body.path("local_metadata")
                        .path("elastic")
                        .path("agent")
                        .path("id")
                        .asString())
                .isEqualTo("agent-1");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.ackToken()).isEqualTo("token-1");
        assertThat(first.actionIds()).containsExactly("policy:pol-t:1");
        assertThat(first.actions("POLICY_CHANGE")).hasSize(1);
        assertThat(agent.ackToken()).isEqualTo("token-1");

        agent.apply(first.actions().get(0));
        agent.upgradeDetails((ObjectNode) Http.JSON.readTree(
                "{\"target_version\":\"9.5.1\",\"state\":\"UPG_REQUESTED\",\"action_id\":\"upg-1\",\"metadata\":{}}"));
        replies.add(Reply.json(200, "{\"action\":\"checkin\",\"ack_token\":\"\"}"));

        SimulatedAgent.Checkin second = agent.checkin();

        JsonNode again = next().gunzippedJson();
        assertThat(again.path("ack_token").asString()).isEqualTo("token-1");
        assertThat(again.path("agent_policy_id").asString()).isEqualTo("pol-t");
        assertThat(again.path("policy_revision_idx").isIntegralNumber()).isTrue();
        assertThat(again.path("policy_revision_idx").asLong()).isEqualTo(1);
        assertThat(again.path("components").get(0).path("status").asString()).isEqualTo("HEALTHY");
        assertThat(again.path("upgrade_details").path("state").asString()).isEqualTo("UPG_REQUESTED");
        assertThat(second.actions()).isEmpty();
        assertThat(second.ackToken()).isEmpty();
        assertThat(agent.ackToken()).as("an empty token keeps the stored one").isEqualTo("token-1");
    }

    @Test
    void settableStateShowsInTheCheckinBody() throws InterruptedException {
        enroll();
        replies.add(Reply.json(200, "{\"action\":\"checkin\",\"ack_token\":\"\"}"));

        agent.status("DEGRADED")
                .message("")
                .logLevel("debug")
                .components(null)
                .ackToken("restored-token")
                .checkin();

        JsonNode body = next().gunzippedJson();
        assertThat(body.path("status").asString()).isEqualTo("DEGRADED");
        assertThat(body.path("message").asString()).isEmpty();
        assertThat(body.path("components").isNull()).isTrue();
        assertThat(body.path("ack_token").asString()).isEqualTo("restored-token");
        assertThat(body.path("local_metadata")
                        .path("elastic")
                        .path("agent")
                        .path("log_level")
                        .asString())
                .isEqualTo("debug");
    }

    @Test
    void checkinResponsesTheAgentRejectsFailAndOtherStatusesAreReturned() throws InterruptedException {
        enroll();

        replies.add(Reply.json(200, "{\"action\":\"checkin\",\"ack_token\":42}"));
        assertThatThrownBy(agent::checkin).isInstanceOf(AssertionError.class).hasMessageContaining("ack_token");

        replies.add(Reply.json(200, ""));
        assertThatThrownBy(agent::checkin).isInstanceOf(AssertionError.class);

        replies.add(
                Reply.json(
                        200,
                        "{\"action\":\"checkin\",\"ack_token\":\"t2\",\"actions\":[{\"id\":\"x\",\"type\":\"UPGRADE\",\"start_time\":5}]}"));
        assertThatThrownBy(agent::checkin).isInstanceOf(AssertionError.class).hasMessageContaining("start_time");
        assertThat(agent.ackToken()).as("saved before the actions are read").isEqualTo("t2");

        replies.add(Reply.json(429, "{\"statusCode\":429,\"error\":\"TooManyRequests\",\"message\":\"slow down\"}"));
        SimulatedAgent.Checkin limited = agent.checkin();
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.ok()).isFalse();
        assertThat(limited.body().path("error").asString()).isEqualTo("TooManyRequests");
        assertThat(limited.actions()).isEmpty();
        assertThat(agent.ackToken()).isEqualTo("t2");
    }

    @Test
    void acksAreOnePlainPostWithOneEventPerAction() throws InterruptedException {
        enroll();
        ObjectNode policyChange =
                (ObjectNode) Http.JSON.readTree(POLICY_CHANGE).path("actions").get(0);
        ObjectNode settings = (ObjectNode) Http.JSON.readTree("{\"id\":\"set-\\\"1\",\"type\":\"SETTINGS\"}");
        replies.add(Reply.json(200, "{\"action\":\"acks\",\"items\":[{\"status\":200},{\"status\":200}]}"));

        HttpResponse<String> response = agent.ack(policyChange, settings);

        assertThat(response.statusCode()).isEqualTo(200);
        Captured request = next();
        assertThat(request.target().toString()).isEqualTo("/api/fleet/agents/agent-1/acks?");
        assertAgentHeaders(request, "ApiKey azkxOnNlY3JldC12YWx1ZS0x");
        assertThat(request.headers().containsKey("Content-Encoding")).isFalse();
        JsonNode events = request.json().path("events");
        assertThat(events).hasSize(2);
        JsonNode first = events.get(0);
        assertThat(first.path("type").asString()).isEqualTo("ACTION_RESULT");
        assertThat(first.path("subtype").asString()).isEqualTo("ACKNOWLEDGED");
        assertThat(first.path("action_id").asString()).isEqualTo("policy:pol-t:1");
        assertThat(first.path("agent_id").asString()).isEqualTo("agent-1");
        assertThat(first.path("message").asString())
                .isEqualTo("Action \"policy:pol-t:1\" of type \"POLICY_CHANGE\" acknowledged.");
        assertThat(first.path("timestamp").asString())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?(Z|[+-]\\d\\d:\\d\\d)");
        assertThat(first.has("error")).isFalse();
        assertThat(events.get(1).path("message").asString())
                .isEqualTo("Action \"set-\\\"1\" of type \"SETTINGS\" acknowledged.");
    }

    @Test
    void ackBodiesAreCheckedLikeTheAgentReadsThem() throws InterruptedException {
        enroll();
        ObjectNode action = (ObjectNode) Http.JSON.readTree("{\"id\":\"a-1\",\"type\":\"INPUT_ACTION\"}");

        replies.add(Reply.json(404, "{\"action\":\"acks\",\"errors\":true,\"items\":[{\"status\":404}]}"));
        assertThat(agent.ackWithError(action, "no input").statusCode()).isEqualTo(404);
        assertThat(next().json().path("events").get(0).path("error").asString()).isEqualTo("no input");

        replies.add(Reply.json(200, "{\"ok\":true}"));
        assertThatThrownBy(() -> agent.ack(action)).isInstanceOf(AssertionError.class);
    }

    @Test
    void checkinRawSendsAnyBodyWithHeaderOverrides() throws InterruptedException {
        enroll();
        replies.add(Reply.json(400, "{}"));

        HttpResponse<String> response = agent.checkinRaw(
                "not gzip".getBytes(StandardCharsets.UTF_8),
                false,
                "Content-Encoding",
                "gzip",
                "User-Agent",
                null,
                "X-Extra",
                "yes");

        assertThat(response.statusCode()).isEqualTo(400);
        Captured request = next();
        assertThat(request.target().toString()).isEqualTo("/api/fleet/agents/agent-1/checkin?");
        assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("not gzip");
        assertThat(request.headers().getFirst("Content-Encoding")).isEqualTo("gzip");
        assertThat(request.headers().containsKey("User-Agent")).isFalse();
        assertThat(request.headers().getFirst("X-Extra")).isEqualTo("yes");
    }

    @Test
    void anAsyncCheckinCanBeHeldAndAbandoned() throws Exception {
        enroll();
        CountDownLatch release = new CountDownLatch(1);
        replies.add(new Reply(200, "{\"action\":\"checkin\",\"ack_token\":\"late\"}", false, false, release));

        CompletableFuture<SimulatedAgent.Checkin> held = agent.checkinAsync();
        next();
        Thread.sleep(200);
        assertThat(held).isNotDone();
        held.cancel(true);
        release.countDown();

        assertThatThrownBy(held::join).isInstanceOf(CancellationException.class);
        Thread.sleep(200);
        assertThat(agent.ackToken()).as("an abandoned poll changes nothing").isNull();

        replies.add(Reply.json(200, "{\"action\":\"checkin\",\"ack_token\":\"t3\"}"));
        SimulatedAgent.Checkin answered = agent.checkinAsync().get(10, TimeUnit.SECONDS);
        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.elapsed()).isPositive();
        assertThat(agent.ackToken()).isEqualTo("t3");
    }

    @Test
    void aPathInTheFleetUrlBecomesAPrefix() throws InterruptedException {
        agent = new SimulatedAgent(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fleet"));
        replies.add(Reply.json(503, "{}"));

        agent.enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ=");

        assertThat(next().target().toString()).isEqualTo("/fleet/api/fleet/agents/enroll?");
    }

    @Test
    void theRequestLineAndHeaderNamesAreWhatGoWrites() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SimulatedAgent wire = new SimulatedAgent(URI.create("http://127.0.0.1:" + raw.getLocalPort()));
            CompletableFuture<String> head = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = raw.accept()) {
                    InputStream in = socket.getInputStream();
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        bytes.write(in.read());
                    }
                    socket.getOutputStream()
                            .write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}"
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    return bytes.toString(StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            assertThat(wire.enroll("ZW5yb2xsLWlkOmVucm9sbC1zZWNyZXQ=").statusCode())
                    .isEqualTo(503);

            List<String> lines = List.of(head.get(10, TimeUnit.SECONDS).split("\r\n"));
            assertThat(lines.get(0)).isEqualTo("POST /api/fleet/agents/enroll? HTTP/1.1");
            List<String> names = new ArrayList<>();
            lines.subList(1, lines.size()).forEach(line -> names.add(line.substring(0, line.indexOf(':'))));
            assertThat(names)
                    .containsExactlyInAnyOrder(
                            "Host",
                            "User-Agent",
                            "Elastic-Api-Version",
                            "Content-Type",
                            "Accept",
                            "Kbn-Xsrf",
                            "X-Request-Id",
                            "Accept-Encoding",
                            "Authorization",
                            "Content-Length");
        }
    }

    @Test
    void timestampsAreGosTimeFormat() {
        assertThat(SimulatedAgent.goTimestamp(
                        OffsetDateTime.of(2026, 8, 21, 11, 20, 31, 481920117, ZoneOffset.ofHours(2))))
                .isEqualTo("2026-08-21T11:20:31.481920117+02:00");
        assertThat(SimulatedAgent.goTimestamp(OffsetDateTime.of(2026, 8, 21, 11, 31, 2, 7_100_000, ZoneOffset.UTC)))
                .isEqualTo("2026-08-21T11:31:02.0071Z");
        assertThat(SimulatedAgent.goTimestamp(
                        OffsetDateTime.of(2026, 8, 21, 11, 31, 2, 0, ZoneOffset.ofHoursMinutes(-5, -30))))
                .isEqualTo("2026-08-21T11:31:02-05:30");
    }

    @Test
    void requestIdsAreFreshUlids() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            ids.add(SimulatedAgent.requestId());
        }
        assertThat(ids).hasSize(100).allSatisfy(id -> assertThat(id).matches("[0-7][0-9A-HJKMNP-TV-Z]{25}"));
    }

    @Test
    void goQuoteEscapesLikeGo() {
        assertThat(SimulatedAgent.goQuote("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\x01\"");
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }
}
