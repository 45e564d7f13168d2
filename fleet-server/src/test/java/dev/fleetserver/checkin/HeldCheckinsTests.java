package dev.fleetserver.checkin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HeldCheckinsTests {

    private final HeldCheckins held = new HeldCheckins(Duration.ofSeconds(30));

    @BeforeEach
    void start() {
        held.start();
    }

    @AfterEach
    void stop() {
        held.stop();
    }

    @Test
    void pollsAnsweredEarlyLeaveNoTimerBehind() {
        for (int i = 0; i < 1000; i++) {
            CompletableFuture<CheckinResponse> reply = new CompletableFuture<>();
            held.hold(reply, Duration.ofMinutes(5), () -> {});
            reply.complete(CheckinResponse.nothing()); // an action or a policy answered it
        }

        assertThat(held.size()).isZero();
        assertThat(held.queuedTimers()).as("only the periodic refresh is left").isEqualTo(1);
    }

    @Test
    void aPollNotAnsweredEndsWithNothingWhenItsTimeIsUp() {
        CompletableFuture<CheckinResponse> reply = new CompletableFuture<>();
        held.hold(reply, Duration.ofMillis(50), () -> {});

        assertThat(reply.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join())
                .isEqualTo(CheckinResponse.nothing());
        assertThat(held.size()).isZero();
    }
}
