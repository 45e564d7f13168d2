package dev.fleetserver.metrics;

import dev.fleetserver.web.Route;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Upstream's counters for one route, {@code http_server.routes.<route>.*} (config-and-ops §7.2). */
public final class RouteStats {

    private final Route route;
    final AtomicLong active = new AtomicLong();
    final LongAdder total = new LongAdder();
    final LongAdder limitRate = new LongAdder();
    final LongAdder limitMax = new LongAdder();
    final LongAdder fail = new LongAdder();
    final LongAdder drop = new LongAdder();
    final LongAdder bodyIn = new LongAdder();
    final LongAdder bodyOut = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder throttle = new LongAdder();
    private volatile double limitMaxRate;
    private long limitMaxAtLastSample;

    RouteStats(Route route) {
        this.route = route;
    }

    public Route route() {
        return route;
    }

    /** A request was rejected by the route's token bucket. */
    public void rateLimited() {
        limitRate.increment();
    }

    /** A request was rejected by the route's concurrency cap. */
    public void maxLimited() {
        limitMax.increment();
    }

    /** Artifacts only: the artifact does not exist. */
    public void artifactNotFound() {
        notFound.increment();
    }

    /** Artifacts only: a fetch was throttled. */
    public void artifactThrottled() {
        throttle.increment();
    }

    /** Recomputes the rejections-per-second gauge; upstream samples every 10 s and only for checkin. */
    void sample(double seconds) {
        long now = limitMax.sum();
        limitMaxRate = route == Route.CHECKIN ? Math.round((now - limitMaxAtLastSample) / seconds) : 0;
        limitMaxAtLastSample = now;
    }

    /** Values by upstream's metric name, in upstream's order. */
    Map<String, Number> values() {
        Map<String, Number> values = new LinkedHashMap<>();
        values.put("active", active.get());
        values.put("total", total.sum());
        values.put("limit_rate", limitRate.sum());
        values.put("limit_max", limitMax.sum());
        values.put("limit_max_rate", limitMaxRate);
        values.put("fail", fail.sum());
        values.put("drop", drop.sum());
        values.put("body_in", bodyIn.sum());
        values.put("body_out", bodyOut.sum());
        if (route == Route.ARTIFACTS) {
            values.put("not_found", notFound.sum());
            values.put("throttle", throttle.sum());
        }
        return values;
    }

    /** Whether the value is a gauge (the rest are counters). */
    static boolean isGauge(String metric) {
        return metric.equals("active") || metric.equals("limit_max_rate");
    }
}
