package dev.fleetserver.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fleetserver.metrics.RouteMetricsFilter;
import dev.fleetserver.metrics.ServerMetrics;
import dev.fleetserver.web.Route;
import dev.fleetserver.web.errors.FleetErrorWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.util.ReflectionTestUtils;

/** The per-route limiter through Spring's servlet mocks, with long polls held open asynchronously. */
class RouteLimitFilterTests {

    private final ServerMetrics metrics = new ServerMetrics(new SimpleMeterRegistry());

    @Test
    void withoutATokenTheAnswerIs429RateLimit() throws Exception {
        MockExchanges exchanges = through("status_limit: {interval: 1h, burst: 1}");

        assertThat(exchanges.get("/api/status").getStatus()).isEqualTo(200);
        MockHttpServletResponse limited = exchanges.get("/api/status");

        assertThat(limited.getStatus()).isEqualTo(429);
        assertThat(limited.getContentAsString())
                .isEqualTo("{\"statusCode\":429,\"error\":\"RateLimit\",\"message\":\"exceeded the rate limit\"}");
        assertThat(limited.getHeader("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(limited.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(limited.getHeader("Elastic-Api-Version")).isNull();
        assertThat(exchanges.handled).hasValue(1);
        assertThat(counter(Route.STATUS, "limitRate")).isEqualTo(1);
        assertThat(counter(Route.STATUS, "limitMax")).isZero();
    }

    @Test
    void aRejectedRequestIsMarkedSoTheMetricsDoNotCountItAsAFailure() throws Exception {
        var filter = filter("status_limit: {interval: 1h, burst: 1}");
        new MockExchanges(filter).get("/api/status");
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/status");

        filter.doFilter(request, new MockHttpServletResponse(), new org.springframework.mock.web.MockFilterChain());

        assertThat(request.getAttribute(RouteMetricsFilter.LIMITED)).isEqualTo(Boolean.TRUE);
    }

    @Test
    void aHeldRequestKeepsItsSlotUntilItCompletesAsynchronously() throws Exception {
        MockExchanges exchanges = through("checkin_limit: {max: 1}");

        MockHttpServletRequest longPoll = exchanges.open("/api/fleet/agents/a1/checkin");
        MockHttpServletResponse second = exchanges.send("POST", "/api/fleet/agents/a2/checkin");

        assertThat(second.getStatus()).isEqualTo(429);
        assertThat(second.getContentAsString())
                .isEqualTo("{\"statusCode\":429,\"error\":\"MaxLimit\",\"message\":\"exceeded the max limit\"}");
        assertThat(counter(Route.CHECKIN, "limitMax")).isEqualTo(1);

        MockExchanges.complete(longPoll);

        assertThat(exchanges.send("POST", "/api/fleet/agents/a2/checkin").getStatus())
                .isEqualTo(200);
    }

    @Test
    void errorThenCompleteReleasesTheSlotOnlyOnce() throws Exception {
        MockExchanges exchanges = through("checkin_limit: {max: 1}");

        MockExchanges.failThenComplete(exchanges.open("/api/fleet/agents/a1/checkin"));
        MockHttpServletRequest next = exchanges.open("/api/fleet/agents/a1/checkin");

        assertThat(next.isAsyncStarted()).isTrue();
        assertThat(exchanges.send("POST", "/api/fleet/agents/a2/checkin").getStatus())
                .isEqualTo(429);
    }

    @Test
    void aFailingHandlerGivesItsSlotBack() throws Exception {
        MockExchanges exchanges = through("status_limit: {max: 1}");

        assertThatThrownBy(() -> exchanges.fail("/api/status")).hasMessage("handler failed");

        assertThat(exchanges.get("/api/status").getStatus()).isEqualTo(200);
    }

    @Test
    void theRouteComesFromThePathShapeBeforeRouting() throws Exception {
        // A negative burst is "set" (non-zero) and leaves the bucket without tokens: every request is refused.
        MockExchanges exchanges = through("enroll_limit: {interval: 1h, burst: -1}");

        assertThat(exchanges.send("POST", "/api/fleet/agents/foo").getStatus()).isEqualTo(429);
        assertThat(exchanges.send("PUT", "/api/fleet/agents/enroll").getStatus())
                .isEqualTo(429);
        assertThat(exchanges.get("/api/fleet/agents").getStatus()).isEqualTo(200);
        assertThat(exchanges.get("/nope").getStatus()).isEqualTo(200);
        assertThat(exchanges.get("/api/status").getStatus()).isEqualTo(200);
        assertThat(counter(Route.ENROLL, "limitRate")).isEqualTo(2);
    }

    @Test
    void eachRouteHasItsOwnBucket() throws Exception {
        MockExchanges exchanges =
                through("status_limit: {interval: 1h, burst: 1}\nack_limit: {interval: 1h, burst: 1}");

        assertThat(exchanges.get("/api/status").getStatus()).isEqualTo(200);
        assertThat(exchanges.send("POST", "/api/fleet/agents/a1/acks").getStatus())
                .isEqualTo(200);
        assertThat(exchanges.get("/api/status").getStatus()).isEqualTo(429);
    }

    private MockExchanges through(String limits) {
        return new MockExchanges(filter(limits));
    }

    private RouteLimitFilter filter(String limits) {
        EffectiveLimits effective = EffectiveLimits.resolve(LimitsYaml.limits("max_agents: -1\n" + limits), 1L << 30);
        return new RouteLimitFilter(effective, metrics, new FleetErrorWriter());
    }

    private long counter(Route route, String field) {
        return ((LongAdder) ReflectionTestUtils.getField(metrics.route(route), field)).sum();
    }
}
