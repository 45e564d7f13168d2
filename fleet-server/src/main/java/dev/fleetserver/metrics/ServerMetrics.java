package dev.fleetserver.metrics;

import dev.fleetserver.web.ConnectionListener;
import dev.fleetserver.web.Route;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's request and connection metrics: upstream's unlabelled counters (kept here, exposed under
 * their exact names by {@link UpstreamMetricsFormat} and {@code /stats}), and labelled series in Micrometer
 * for what upstream lacks: latency histograms and in-flight gauges per route, and status codes.
 */
public final class ServerMetrics implements ConnectionListener {

    static final String REQUESTS = "fleet.http.requests";
    static final String REQUESTS_ACTIVE = "fleet.http.requests.active";

    private final MeterRegistry registry;
    private final Map<Route, RouteStats> routes = new EnumMap<>(Route.class);
    private final LongAdder tcpOpen = new LongAdder();
    private final LongAdder tcpClose = new LongAdder();
    private final LongAdder tcpRejected = new LongAdder();
    private volatile double tcpRejectedRate;
    private long tcpRejectedAtLastSample;

    public ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Route route : Route.values()) {
            RouteStats stats = new RouteStats(route);
            routes.put(route, stats);
            Gauge.builder(REQUESTS_ACTIVE, stats.active, Number::doubleValue)
                    .description("Requests in flight on the route (for checkin: held long polls)")
                    .tag("route", route.metricName())
                    .register(registry);
        }
    }

    public RouteStats route(Route route) {
        return routes.get(route);
    }

    Map<Route, RouteStats> routes() {
        return routes;
    }

    @Override
    public void opened() {
        tcpOpen.increment();
    }

    @Override
    public void closed() {
        tcpClose.increment();
    }

    /** A request refused by the {@code max_connections} in-flight cap. */
    public void connectionRejected() {
        tcpRejected.increment();
    }

    long tcpOpen() {
        return tcpOpen.sum();
    }

    long tcpClose() {
        return tcpClose.sum();
    }

    long tcpActive() {
        return Math.max(0, tcpOpen.sum() - tcpClose.sum());
    }

    double tcpRejectedRate() {
        return tcpRejectedRate;
    }

    void requestFinished(RouteStats stats, int status, Duration elapsed) {
        Timer.builder(REQUESTS)
                .description("Agent-facing requests by route and status")
                .tag("route", stats.route().metricName())
                .tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .register(registry)
                .record(elapsed);
    }

    /** Recomputes the per-second rejection gauges over the given window. */
    synchronized void sample(Duration window) {
        double seconds = Math.max(1, window.toMillis() / 1000.0);
        long rejected = tcpRejected.sum();
        tcpRejectedRate = Math.round((rejected - tcpRejectedAtLastSample) / seconds);
        tcpRejectedAtLastSample = rejected;
        routes.values().forEach(stats -> stats.sample(seconds));
    }
}
