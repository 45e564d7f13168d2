package dev.fleetserver.metrics;

import dev.fleetserver.config.ServerVersion;
import java.util.Map;

/**
 * Upstream's metrics in Prometheus text format under their exact names and types
 * ({@code http_server_routes_checkin_active}, counters without an added {@code _total}), so that dashboards
 * built for Elastic's Fleet Server work unchanged. Micrometer's registry cannot produce these names: its
 * Prometheus client appends {@code _total} to every counter.
 */
final class UpstreamMetricsFormat {

    private UpstreamMetricsFormat() {}

    static String render(ServerMetrics metrics, ServerVersion version) {
        StringBuilder out = new StringBuilder(8192);
        out.append("# HELP service_info Fleet Server name and version\n");
        out.append("# TYPE service_info counter\n");
        out.append("service_info{name=\"fleet-server\",version=\"")
                .append(version.number())
                .append("\"} 1\n");
        metric(out, "http_server_tcp_open", "counter", metrics.tcpOpen());
        metric(out, "http_server_tcp_close", "counter", metrics.tcpClose());
        metric(out, "http_server_tcp_active", "gauge", metrics.tcpActive());
        metric(out, "http_server_tcp_rejected_rate", "gauge", metrics.tcpRejectedRate());
        metrics.routes().values().forEach(stats -> {
            for (Map.Entry<String, Number> value : stats.values().entrySet()) {
                String name = "http_server_routes_" + stats.route().metricName() + "_" + value.getKey();
                metric(out, name, RouteStats.isGauge(value.getKey()) ? "gauge" : "counter", value.getValue());
            }
        });
        return out.toString();
    }

    private static void metric(StringBuilder out, String name, String type, Number value) {
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ');
        if (value instanceof Double d) {
            out.append(d == Math.rint(d) ? Long.toString(d.longValue()) : d.toString());
        } else {
            out.append(value);
        }
        out.append('\n');
    }
}
