package dev.fleetserver.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.health.ServerHealth;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring listener ({@code http.*}, upstream's {@code localhost:5066}): {@code /metrics} (Prometheus),
 * {@code /stats} (upstream's JSON), {@code /} (name and version), {@code /liveness} and {@code /readiness}.
 * It has no authentication, as upstream, and binds to localhost by default. It runs on the JDK's small HTTP
 * server rather than a second Tomcat, so it costs a few threads and no servlet stack.
 */
public final class MonitoringServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MonitoringServer.class);
    private static final Duration SAMPLE_WINDOW = Duration.ofSeconds(10);

    private final FleetServerConfig.Http config;
    private final ServerMetrics metrics;
    private final PrometheusMeterRegistry prometheus;
    private final ServerHealth health;
    private final ApplicationAvailability availability;
    private final ServerVersion version;
    private final JsonMapper json = JsonMapper.builder().build();
    private final String ephemeralId = UUID.randomUUID().toString();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("fleet-metrics-sampler").factory());
    private @Nullable HttpServer server;

    public MonitoringServer(
            FleetServerConfig.Http config,
            ServerMetrics metrics,
            PrometheusMeterRegistry prometheus,
            ServerHealth health,
            ApplicationAvailability availability,
            ServerVersion version) {
        this.config = config;
        this.metrics = metrics;
        this.prometheus = prometheus;
        this.health = health;
        this.availability = availability;
        this.version = version;
    }

    @Override
    public void start() {
        sampler.scheduleAtFixedRate(
                () -> metrics.sample(SAMPLE_WINDOW), 10, SAMPLE_WINDOW.toSeconds(), TimeUnit.SECONDS);
        if (!config.enabled()) {
            return;
        }
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
            http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            http.createContext("/", this::handle);
            http.start();
            server = http;
            log.info("Monitoring listener on {}:{} (/metrics, /stats)", config.host(), port());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot start the monitoring listener on " + config.host() + ":" + config.port(), e);
        }
    }

    @Override
    public void stop() {
        sampler.shutdownNow();
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** The bound port (useful when configured as 0), or -1 when the listener is off. */
    public int port() {
        HttpServer http = server;
        return http == null ? -1 : http.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/" -> sendJson(exchange, 200, Map.of("name", "fleet-server", "version", version.number()));
                case "/metrics" ->
                    send(
                            exchange,
                            200,
                            "text/plain; version=0.0.4; charset=utf-8",
                            UpstreamMetricsFormat.render(metrics, version) + prometheus.scrape());
                case "/stats" -> sendJson(exchange, 200, stats());
                case "/state", "/dataset" -> sendJson(exchange, 200, Map.of());
                case "/liveness" -> probe(exchange, availability.getLivenessState() == LivenessState.CORRECT);
                case "/readiness" -> probe(exchange, health.isReady());
                default -> send(exchange, 404, "text/plain; charset=utf-8", "404 page not found\n");
            }
        }
    }

    private void probe(HttpExchange exchange, boolean up) throws IOException {
        sendJson(
                exchange,
                up ? 200 : 503,
                Map.of("status", up ? "UP" : "DOWN", "fleet", health.state().name()));
    }

    private Map<String, Object> stats() {
        Map<String, Object> routes = new LinkedHashMap<>();
        metrics.routes().values().forEach(stats -> routes.put(stats.route().metricName(), stats.values()));
        Map<String, Object> httpServer = new LinkedHashMap<>();
        httpServer.put("tcp_open", metrics.tcpOpen());
        httpServer.put("tcp_close", metrics.tcpClose());
        httpServer.put("tcp_active", metrics.tcpActive());
        httpServer.put("tcp_rejected_rate", metrics.tcpRejectedRate());
        httpServer.put("routes", routes);
        httpServer.put("memstats", ProcessStats.memstats());
        httpServer.put("cpu", ProcessStats.cpu());
        httpServer.put("runtime", Map.of("goroutines", Thread.activeCount()));
        httpServer.put(
                "info",
                Map.of(
                        "uptime",
                        Map.of("ms", ManagementFactory.getRuntimeMXBean().getUptime()),
                        "ephemeral_id",
                        ephemeralId,
                        "name",
                        "fleet-server",
                        "version",
                        version.number()));
        httpServer.put("handles", ProcessStats.handles());
        return Map.of("http_server", httpServer);
    }

    private void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        boolean pretty = exchange.getRequestURI().getQuery() != null
                && exchange.getRequestURI().getQuery().contains("pretty");
        String text =
                pretty ? json.writerWithDefaultPrettyPrinter().writeValueAsString(body) : json.writeValueAsString(body);
        send(exchange, status, "application/json; charset=utf-8", text);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
