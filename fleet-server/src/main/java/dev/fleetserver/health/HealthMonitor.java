package dev.fleetserver.health;

import dev.fleetserver.store.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drives {@link ServerHealth} from the store: prepares it (version check, indices) until that succeeds, then
 * checks it every few seconds, as upstream's self monitor does. While the store is unavailable the server
 * stays up and not ready, retries with exponential backoff, and logs one line per kind of problem (not one per
 * attempt); when the store returns it becomes ready again without a restart.
 */
public class HealthMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

    private final StoreProbe store;
    private final ServerHealth health;
    private final Timing timing;
    private volatile @Nullable Thread worker;
    private volatile boolean running;
    private StoreUnavailableException.@Nullable Reason lastReason;

    public HealthMonitor(StoreProbe store, ServerHealth health, Timing timing) {
        this.store = store;
        this.health = health;
        this.timing = timing;
    }

    /**
     * @param checkInterval how often a ready server re-checks the store (upstream: 5 s)
     * @param firstRetry delay after the first failure; doubled per failure up to {@code maxRetry}
     * @param maxRetry longest delay between attempts while the store is unavailable
     */
    public record Timing(Duration checkInterval, Duration firstRetry, Duration maxRetry) {
        public static Timing defaults() {
            return new Timing(Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(10));
        }
    }

    @Override
    public void start() {
        running = true;
        worker = Thread.ofPlatform().daemon().name("fleet-health-monitor").start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        health.set(HealthState.STOPPING);
        Thread thread = worker;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts early and stops late, so the server reports STOPPING while requests drain. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    private void run() {
        boolean prepared = false;
        int failures = 0;
        while (running) {
            try {
                if (!prepared) {
                    store.prepare();
                    prepared = true;
                } else {
                    store.check();
                }
                recovered();
                failures = 0;
                sleep(timing.checkInterval());
            } catch (StoreUnavailableException e) {
                // After an outage the store may have lost its indices (a new node): prepare again.
                prepared = false;
                failed(e);
                sleep(backoff(failures++));
            } catch (RuntimeException e) {
                prepared = false;
                failed(new StoreUnavailableException(
                        StoreUnavailableException.Reason.ERROR, "unexpected error: " + e.getMessage(), e));
                sleep(backoff(failures++));
            }
        }
    }

    private void recovered() {
        HealthState previous = health.state();
        health.set(HealthState.HEALTHY);
        if (previous != HealthState.HEALTHY) {
            log.info("{} is available; Fleet Server is ready", store.describe());
        }
        lastReason = null;
    }

    private void failed(StoreUnavailableException e) {
        HealthState previous = health.state();
        health.set(
                previous == HealthState.HEALTHY || previous == HealthState.DEGRADED
                        ? HealthState.DEGRADED
                        : previous == HealthState.STARTING ? HealthState.STARTING : HealthState.FAILED);
        // One line per kind of problem: retries of the same outage are logged at debug only.
        if (e.reason() != lastReason) {
            log.warn("Fleet Server is not ready: {}; retrying with backoff", e.getMessage());
            lastReason = e.reason();
        } else {
            log.debug("{} still unavailable: {}", store.describe(), e.getMessage());
        }
    }

    private Duration backoff(int failures) {
        long base = timing.firstRetry().toMillis() << Math.min(failures, 20);
        long capped = Math.min(base, timing.maxRetry().toMillis());
        // Up to a quarter less, so several instances do not retry in step.
        long jitter = ThreadLocalRandom.current().nextLong(capped / 4 + 1);
        return Duration.ofMillis(capped - jitter);
    }

    private void sleep(Duration duration) {
        if (running) {
            LockSupport.parkNanos(duration.toNanos());
        }
    }
}
