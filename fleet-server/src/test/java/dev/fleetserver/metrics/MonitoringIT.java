package dev.fleetserver.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.testing.elasticsearch.TestElasticsearch;
import dev.fleetserver.testsupport.ElasticsearchAdmin;
import dev.fleetserver.testsupport.Http;
import dev.fleetserver.testsupport.NoSecretsInLogs;
import dev.fleetserver.testsupport.RunningServer;
import dev.fleetserver.testsupport.TestConfigs;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/** The monitoring listener: Prometheus metrics with upstream's names, {@code /stats}, probes. */
@ExtendWith(NoSecretsInLogs.class)
class MonitoringIT {

    private static final ElasticsearchAdmin admin = new ElasticsearchAdmin(TestElasticsearch.shared());
    private static RunningServer server;
    private final Http http = Http.plain();

    @BeforeAll
    static void start() {
        server = RunningServer.start(TestConfigs.forNode(admin.node())).awaitHealthy();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void routeCountersMoveAfterRequests() {
        double before = value(metrics(), "http_server_routes_status_total");

        for (int i = 0; i < 3; i++) {
            http.get(server.agent("/api/status"));
        }
        http.get(server.agent("/api/status"), "Elastic-Api-Version", "banana");

        String after = metrics();
        assertThat(value(after, "http_server_routes_status_total")).isEqualTo(before + 4);
        assertThat(value(after, "http_server_routes_status_fail")).isGreaterThanOrEqualTo(1);
        assertThat(value(after, "http_server_routes_status_body_out")).isPositive();
        assertThat(value(after, "http_server_tcp_open")).isPositive();
        assertThat(after).contains("# TYPE http_server_routes_checkin_active gauge\n");
        assertThat(after).contains("# TYPE http_server_routes_status_total counter\n");
        assertThat(after).doesNotContain("http_server_routes_status_total_total");
        assertThat(after).contains("service_info{name=\"fleet-server\",version=\"9.5.0\"} 1");
    }

    @Test
    void labelledSeriesCoverRoutesStatusesLatencyElasticsearchAndTheJvm() {
        http.get(server.agent("/api/status"));

        String metrics = metrics();
        assertThat(metrics)
                .containsPattern("fleet_http_requests_seconds_count\\{route=\"status\",status=\"200\"} \\d+");
        assertThat(metrics)
                .containsPattern(
                        "fleet_http_requests_seconds_bucket\\{route=\"status\",status=\"200\",le=\"[0-9.]+\"}");
        assertThat(metrics).containsPattern("fleet_http_requests_active\\{route=\"checkin\"} 0");
        assertThat(metrics)
                .containsPattern(
                        "fleet_elasticsearch_requests_seconds_count\\{endpoint=\"nodes.info\",outcome=\"200\"} \\d+");
        assertThat(metrics)
                .containsPattern(
                        "fleet_elasticsearch_requests_seconds_count\\{endpoint=\"indices.get_settings\",outcome=\"200\"} \\d+");
        assertThat(metrics).contains("jvm_memory_used_bytes");
    }

    @Test
    void statsHaveUpstreamsLayout() {
        http.get(server.agent("/api/status"));

        JsonNode stats = Http.json(http.get(server.monitoring("/stats")));

        JsonNode httpServer = stats.path("http_server");
        assertThat(httpServer.path("routes").path("status").path("total").asLong())
                .isPositive();
        assertThat(httpServer.path("routes").path("artifacts").has("not_found")).isTrue();
        assertThat(httpServer.has("tcp_active")).isTrue();
        assertThat(httpServer.path("memstats").path("rss").asLong()).isPositive();
        assertThat(httpServer.path("info").path("name").asString()).isEqualTo("fleet-server");
    }

    @Test
    void probesAndRootAnswer() {
        assertThat(http.get(server.monitoring("/readiness")).statusCode()).isEqualTo(200);
        assertThat(http.get(server.monitoring("/liveness")).statusCode()).isEqualTo(200);
        HttpResponse<String> root = http.get(server.monitoring("/"));
        assertThat(Http.json(root).path("name").asString()).isEqualTo("fleet-server");
        assertThat(http.get(server.monitoring("/nope")).statusCode()).isEqualTo(404);
    }

    private String metrics() {
        HttpResponse<String> response = http.get(server.monitoring("/metrics"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return response.body();
    }

    private static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$")
                .matcher(metrics);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
