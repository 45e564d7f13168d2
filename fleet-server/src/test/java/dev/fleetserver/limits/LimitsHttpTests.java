package dev.fleetserver.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fleetserver.metrics.ServerMetrics;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.RawHttpResponse;
import dev.fleetserver.testsupport.RunningServer;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * The limits over a real socket (agent-api §21 items 9–11). Requests are held in flight with an Elasticsearch
 * that never answers: {@code GET /api/status} with an API key waits for the key check there.
 */
class LimitsHttpTests {

    private static final String API_KEY =
            "ApiKey " + Base64.getEncoder().encodeToString("key-id:key-secret".getBytes(StandardCharsets.UTF_8));

    private final Http http = Http.plain();

    @Test
    void aSecondImmediateStatusRequestIsRateLimited() {
        try (RunningServer server =
                RunningServer.start(LimitsYaml.unreachable("status_limit: {interval: 1s, burst: 1, max: 0}"))) {
            assertThat(http.get(server.agent("/api/status")).statusCode()).isEqualTo(503);

            HttpResponse<String> limited = http.get(server.agent("/api/status"));

            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.body())
                    .isEqualTo("{\"statusCode\":429,\"error\":\"RateLimit\",\"message\":\"exceeded the rate limit\"}");
            // Tomcat writes the media type without the blank after ';'.
            assertThat(limited.headers().firstValue("Content-Type").map(type -> type.replace(" ", "")))
                    .contains("application/json;charset=utf-8");
            assertThat(limited.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(limited.headers().firstValue("X-Request-Id")).isPresent();
            assertThat(limited.headers().firstValue("Elastic-Api-Version")).isEmpty();
            String metrics = metrics(server);
            assertThat(metric(metrics, "http_server_routes_status_limit_rate")).isEqualTo(1);
            assertThat(metric(metrics, "http_server_routes_status_total")).isEqualTo(2);
            // The 503 of the first request is a failure; the 429 is counted as a rejection only.
            assertThat(metric(metrics, "http_server_routes_status_fail")).isEqualTo(1);
        }
    }

    @Test
    void whileTheOnlySlotIsHeldTheNextRequestGetsMaxLimit() throws Exception {
        try (SilentElasticsearch elasticsearch = new SilentElasticsearch();
                RunningServer server = RunningServer.start(
                        LimitsYaml.config(elasticsearch.uri(), "max_agents: -1\nstatus_limit: {max: 1}", ""))) {
            int port = server.agentUri().getPort();
            try (Socket held = send(port, API_KEY)) {
                awaitActiveStatusRequests(server, 1);

                HttpResponse<String> limited = http.get(server.agent("/api/status"));

                assertThat(limited.statusCode()).isEqualTo(429);
                assertThat(limited.body())
                        .isEqualTo(
                                "{\"statusCode\":429,\"error\":\"MaxLimit\",\"message\":\"exceeded the max limit\"}");
                assertThat(limited.headers().firstValue("X-Request-Id")).isPresent();
                assertThat(limited.headers().firstValue("Elastic-Api-Version")).isEmpty();
                assertThat(metric(metrics(server), "http_server_routes_status_limit_max"))
                        .isEqualTo(1);

                elasticsearch.close();
                assertThat(read(held).status()).isEqualTo(503);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> http.get(server.agent("/api/status")).statusCode() == 503);
        }
    }

    @Test
    void maxConnectionsRefusesTheRequestBeyondItAndClosesTheConnectionBeyond110Percent() throws Exception {
        try (SilentElasticsearch elasticsearch = new SilentElasticsearch();
                RunningServer server = RunningServer.start(
                        LimitsYaml.config(elasticsearch.uri(), "max_agents: -1\nmax_connections: 10", ""))) {
            int port = server.agentUri().getPort();
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    open.add(send(port, API_KEY));
                }
                awaitActiveStatusRequests(server, 10);

                Socket eleventh = send(port, null);
                open.add(eleventh);
                RawHttpResponse refused = read(eleventh);

                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.bodyText()).isEqualTo("Server capacity exceeded.\n");
                assertThat(refused.header("content-type").replace(" ", "")).isEqualTo("text/plain;charset=utf-8");
                assertThat(refused.header("x-request-id")).isNotBlank();
                assertThat(refused.header("elastic-api-version")).isNull();
                assertThat(rejectedRequests(server)).isEqualTo(1);

                // 11 connections are open now: floor(1.1 × 10). The 12th is closed before any HTTP.
                try (Socket twelfth = new Socket("127.0.0.1", port)) {
                    twelfth.setSoTimeout(5000);
                    assertThat(readUntilClosed(twelfth)).isEmpty();
                }
                assertThat(metric(metrics(server), "http_server_routes_status_total"))
                        .isEqualTo(11);
            } finally {
                elasticsearch.close();
                for (Socket socket : open) {
                    socket.close();
                }
            }
            // Once the held requests are over and their connections gone, requests pass again.
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> http.get(server.agent("/api/status")).statusCode() == 503);
        }
    }

    @Test
    void tomcatAdmitsOneConnectionMoreThanTheCapSoThatTheCapDecides() {
        try (RunningServer server = RunningServer.start(LimitsYaml.unreachable("max_agents: 20000"))) {
            Connector connector = ((TomcatWebServer) ((WebServerApplicationContext) server.context()).getWebServer())
                    .getTomcat()
                    .getConnector();

            assertThat(server.context().getBean(EffectiveLimits.class).maxOpenConnections())
                    .isEqualTo(46_200);
            assertThat(((org.apache.coyote.AbstractProtocol<?>) connector.getProtocolHandler()).getMaxConnections())
                    .isEqualTo(46_201);
        }
    }

    /** Sends {@code GET /api/status} on a new connection, without waiting for the answer. */
    private static Socket send(int port, String authorization) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        String request = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** One HTTP/1.1 response with a {@code Content-Length} body, leaving the connection open. */
    private static RawHttpResponse read(Socket socket) throws IOException {
        return RawHttpResponse.read(socket.getInputStream());
    }

    /** Whatever arrives before the server closes the connection; a reset counts as closed. */
    private static byte[] readUntilClosed(Socket socket) throws IOException {
        try {
            return socket.getInputStream().readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }

    private void awaitActiveStatusRequests(RunningServer server, int active) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> metric(metrics(server), "http_server_routes_status_active") == active);
    }

    private String metrics(RunningServer server) {
        return http.get(server.monitoring("/metrics")).body();
    }

    private static long metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(metrics);
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The raw counter behind {@code http_server.tcp_rejected_rate}, which is only a rate sampled every 10 s. */
    private static long rejectedRequests(RunningServer server) {
        ServerMetrics metrics = server.context().getBean(ServerMetrics.class);
        return ((LongAdder) ReflectionTestUtils.getField(metrics, "tcpRejected")).sum();
    }
}
