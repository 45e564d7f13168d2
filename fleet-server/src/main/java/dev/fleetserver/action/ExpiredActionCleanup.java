package dev.fleetserver.action;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Deletes actions that expired long ago (algorithms §11.1): first ten seconds after start, then every
 * {@code gc.schedule_interval}, each delay varied by ±10% so that instances do not run together. Every instance
 * runs it; deletes are idempotent, and the index monitors step over the gaps deletes leave.
 */
final class ExpiredActionCleanup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExpiredActionCleanup.class);
    private static final Pattern AGE = Pattern.compile("^\\d+[yMwdhHms]$");
    private static final String DEFAULT_AGE = "30d";

    private final ActionStore actions;
    private final Duration interval;
    private final String age;
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    ExpiredActionCleanup(ActionStore actions, Duration interval, String age) {
        this.actions = actions;
        this.interval = interval;
        // Upstream falls back to its default for an age that is not digits and one unit.
        this.age = AGE.matcher(age).matches() ? age : DEFAULT_AGE;
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("fleet-action-cleanup").factory());
        schedule(Duration.ofSeconds(10));
        running = true;
    }

    private void schedule(Duration delay) {
        long millis = delay.toMillis();
        long splay = millis / 10;
        long jittered = millis + (splay > 0 ? ThreadLocalRandom.current().nextLong(-splay, splay + 1) : 0);
        scheduler.schedule(this::runOnce, Math.max(0, jittered), TimeUnit.MILLISECONDS);
    }

    void runOnce() {
        try {
            long deleted = actions.deleteExpiredBefore(age);
            if (deleted > 0) {
                log.info("Deleted {} actions that expired more than {} ago", deleted, age);
            }
        } catch (RuntimeException e) {
            log.warn("Cleaning up expired actions failed: {}; trying again next round", e.getMessage());
        } finally {
            if (running) {
                schedule(interval);
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        scheduler.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
