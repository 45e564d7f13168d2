package dev.fleetserver.limits;

import dev.fleetserver.metrics.RouteMetricsFilter;
import dev.fleetserver.metrics.ServerMetrics;
import dev.fleetserver.web.Listener;
import dev.fleetserver.web.Route;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The in-flight request cap of {@code max_connections} (agent-api §1.4): when that many requests are being
 * processed, long polls included until they answer, the next one gets upstream's plain-text 429 at once. OpAMP
 * requests bypass it, as upstream's OpAMP router sits outside this stage.
 */
public final class InFlightLimitFilter extends OncePerRequestFilter {

    /** After the route metrics, before the per-route limiter. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 15;

    private static final byte[] CAPACITY_EXCEEDED = "Server capacity exceeded.\n".getBytes(StandardCharsets.UTF_8);

    private final @Nullable Semaphore slots;
    private final ServerMetrics metrics;

    /** @param maxInFlight requests processed at once; 0 or less = no cap */
    public InFlightLimitFilter(int maxInFlight, ServerMetrics metrics) {
        this.slots = maxInFlight > 0 ? new Semaphore(maxInFlight) : null;
        this.metrics = metrics;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Semaphore capped = slots;
        // The management listener has no limits of the agent listener; OpAMP bypasses this stage upstream.
        if (capped == null
                || Listener.of(request) == Listener.MANAGEMENT
                || Route.of(request).filter(Route.OPAMP::equals).isPresent()) {
            chain.doFilter(request, response);
            return;
        }
        if (!capped.tryAcquire()) {
            metrics.connectionRejected();
            request.setAttribute(RouteMetricsFilter.LIMITED, Boolean.TRUE);
            writeCapacityExceeded(response);
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            RequestCompletion.whenComplete(request, capped::release);
        }
    }

    /** What Go's {@code http.Error} writes for the throttle: plain text and a newline. */
    private static void writeCapacityExceeded(HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(429);
        response.setHeader("Content-Type", "text/plain; charset=utf-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(CAPACITY_EXCEEDED.length);
        response.getOutputStream().write(CAPACITY_EXCEEDED);
        response.flushBuffer();
    }
}
