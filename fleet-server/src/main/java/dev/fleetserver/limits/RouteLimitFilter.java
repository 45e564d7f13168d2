package dev.fleetserver.limits;

import dev.fleetserver.metrics.RouteMetricsFilter;
import dev.fleetserver.metrics.RouteStats;
import dev.fleetserver.metrics.ServerMetrics;
import dev.fleetserver.web.Route;
import dev.fleetserver.web.errors.FleetErrorWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The per-route limiter (agent-api §5.1): the route comes from the raw path, before routing, so even a request
 * that will get 404 or 405 counts against the route whose shape it has. A token from the route's bucket, then a
 * slot of its concurrency cap, held until the request is over, asynchronous completion included; otherwise
 * {@code 429 RateLimit} or {@code 429 MaxLimit}, without {@code Elastic-Api-Version} (it comes before the version
 * check). Paths of no route pass untouched.
 */
public final class RouteLimitFilter extends OncePerRequestFilter {

    /** Right after the route metrics and the in-flight cap, so that rejections are counted there. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

    private static final Logger log = LoggerFactory.getLogger(RouteLimitFilter.class);

    private final Map<Route, RouteLimiter> limiters = new EnumMap<>(Route.class);
    private final ServerMetrics metrics;
    private final FleetErrorWriter errors;

    public RouteLimitFilter(EffectiveLimits limits, ServerMetrics metrics, FleetErrorWriter errors) {
        for (Route route : Route.values()) {
            limiters.put(route, new RouteLimiter(limits.route(route)));
        }
        this.metrics = metrics;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Route> matched = Route.of(request);
        if (matched.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        Route route = matched.get();
        RouteLimiter limiter = limiters.get(route);
        RouteStats stats = metrics.route(route);
        switch (limiter.tryAdmit()) {
            case RATE_LIMITED -> {
                stats.rateLimited();
                reject(request, response, route, "RateLimit", "exceeded the rate limit");
            }
            case MAX_LIMITED -> {
                stats.maxLimited();
                reject(request, response, route, "MaxLimit", "exceeded the max limit");
            }
            case ADMITTED -> {
                try {
                    chain.doFilter(request, response);
                } finally {
                    RequestCompletion.whenComplete(request, limiter::release);
                }
            }
        }
    }

    private void reject(
            HttpServletRequest request, HttpServletResponse response, Route route, String error, String message)
            throws IOException {
        request.setAttribute(RouteMetricsFilter.LIMITED, Boolean.TRUE);
        // A full checkin limiter is what an operator must see (agents cannot connect); elsewhere it is noise.
        log.atLevel(route == Route.CHECKIN ? Level.WARN : Level.DEBUG)
                .log("limit reached: {} on {}", message, route.limitName());
        errors.write(response, 429, error, message);
    }
}
