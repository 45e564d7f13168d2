package dev.fleetserver.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.metrics.ServerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.util.ReflectionTestUtils;

/** The {@code max_connections} in-flight cap through Spring's servlet mocks. */
class InFlightLimitFilterTests {

    private final ServerMetrics metrics = new ServerMetrics(new SimpleMeterRegistry());

    @Test
    void whenFullTheNextRequestGetsPlainText429UntilOneCompletes() throws Exception {
        MockExchanges exchanges = new MockExchanges(new InFlightLimitFilter(2, metrics));
        MockHttpServletRequest first = exchanges.open("/api/fleet/agents/a1/checkin");
        exchanges.open("/api/fleet/agents/a2/checkin");

        MockHttpServletResponse rejected = exchanges.get("/api/status");

        assertThat(rejected.getStatus()).isEqualTo(429);
        assertThat(rejected.getContentAsString()).isEqualTo("Server capacity exceeded.\n");
        assertThat(rejected.getHeader("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(rejected.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(rejectedConnections()).isEqualTo(1);
        // Any path counts, not only the routes.
        assertThat(exchanges.get("/nope").getStatus()).isEqualTo(429);

        MockExchanges.complete(first);

        assertThat(exchanges.get("/api/status").getStatus()).isEqualTo(200);
        assertThat(rejectedConnections()).isEqualTo(2);
    }

    @Test
    void answeredRequestsLeaveNoTrace() throws Exception {
        MockExchanges exchanges = new MockExchanges(new InFlightLimitFilter(1, metrics));

        for (int i = 0; i < 100; i++) {
            assertThat(exchanges.get("/api/status").getStatus()).isEqualTo(200);
        }
        assertThat(rejectedConnections()).isZero();
    }

    @Test
    void opampBypassesTheCap() throws Exception {
        MockExchanges exchanges = new MockExchanges(new InFlightLimitFilter(1, metrics));
        exchanges.open("/api/fleet/agents/a1/checkin");

        assertThat(exchanges.send("POST", "/v1/opamp").getStatus()).isEqualTo(200);
    }

    @Test
    void zeroMeansNoCap() throws Exception {
        MockExchanges exchanges = new MockExchanges(new InFlightLimitFilter(0, metrics));
        for (int i = 0; i < 100; i++) {
            exchanges.open("/api/fleet/agents/a1/checkin");
        }

        assertThat(exchanges.get("/api/status").getStatus()).isEqualTo(200);
    }

    private long rejectedConnections() {
        return ((LongAdder) ReflectionTestUtils.getField(metrics, "tcpRejected")).sum();
    }
}
