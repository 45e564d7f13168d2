package dev.fleetserver.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PacerTests {

    @Test
    void anUnpacedPacerNeverWaits() throws Exception {
        Pacer pacer = new Pacer(Duration.ZERO, 5);
        long started = System.nanoTime();

        for (int i = 0; i < 10_000; i++) {
            pacer.acquire();
        }

        assertThat(pacer.isPaced()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void theBurstGoesAtOnceThenOnePerInterval() throws Exception {
        Pacer pacer = new Pacer(Duration.ofMillis(200), 2);

        long started = System.nanoTime();
        pacer.acquire();
        pacer.acquire();
        Duration burst = Duration.ofNanos(System.nanoTime() - started);
        pacer.acquire();
        Duration third = Duration.ofNanos(System.nanoTime() - started);

        assertThat(burst).isLessThan(Duration.ofMillis(150));
        assertThat(third).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void aBurstBelowOneStillLetsOneThrough() throws Exception {
        Pacer pacer = new Pacer(Duration.ofMillis(1), 0);

        CompletableFuture.runAsync(() -> {
                    try {
                        pacer.acquire();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void aWaitingCallerCanBeInterrupted() throws Exception {
        Pacer pacer = new Pacer(Duration.ofHours(1), 1);
        pacer.acquire();
        Thread.currentThread().interrupt();

        assertThatThrownBy(pacer::acquire).isInstanceOf(InterruptedException.class);
    }
}
