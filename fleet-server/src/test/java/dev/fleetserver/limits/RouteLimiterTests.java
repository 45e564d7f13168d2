package dev.fleetserver.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fleetserver.limits.RouteLimiter.Admission;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouteLimiterTests {

    @Test
    void aTokenPerIntervalWithBurstTokensAtTheStart() {
        RouteLimiter limiter = new RouteLimiter(new RouteLimit(Duration.ofHours(1), 3, 0, 0));

        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.RATE_LIMITED);
    }

    @Test
    void theBucketRefills() throws Exception {
        RouteLimiter limiter = new RouteLimiter(new RouteLimit(Duration.ofMillis(20), 1, 0, 0));

        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.RATE_LIMITED);
        Thread.sleep(60);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
    }

    @Test
    void noIntervalMeansNoRateLimit() {
        RouteLimiter limiter = new RouteLimiter(new RouteLimit(Duration.ZERO, 0, 0, 0));

        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
        }
    }

    @Test
    void anIntervalWithoutBurstRejectsEverything() {
        RouteLimiter limiter = new RouteLimiter(new RouteLimit(Duration.ofMillis(1), 0, 0, 0));

        assertThat(limiter.tryAdmit()).isEqualTo(Admission.RATE_LIMITED);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.RATE_LIMITED);
    }

    @Test
    void theConcurrencyCapHoldsUntilReleased() {
        RouteLimiter limiter = new RouteLimiter(new RouteLimit(Duration.ZERO, 0, 2, 0));

        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.MAX_LIMITED);
        limiter.release();
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
    }

    @Test
    void aRequestRefusedForConcurrencyHasSpentItsToken() {
        RouteLimiter limiter = new RouteLimiter(new RouteLimit(Duration.ofHours(1), 2, 1, 0));

        assertThat(limiter.tryAdmit()).isEqualTo(Admission.ADMITTED);
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.MAX_LIMITED);
        limiter.release();
        assertThat(limiter.tryAdmit()).isEqualTo(Admission.RATE_LIMITED);
    }
}
