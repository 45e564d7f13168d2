package dev.fleetserver.checkin;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;

/**
 * The checkins waiting in a long poll. No thread waits with them: each is a future that completes on an action,
 * a policy, its timer, or shutdown. While they wait, one periodic sweep refreshes every agent's
 * {@code last_checkin} (every {@code checkin_timestamp}); on shutdown all are answered at once with no actions
 * (agent-api §10.12), before the web server drains.
 */
final class HeldCheckins implements SmartLifecycle {

    private final Duration tick;
    private final Map<CompletableFuture<CheckinResponse>, Runnable> held = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    HeldCheckins(Duration tick) {
        this.tick = tick;
    }

    /**
     * Holds a checkin until its reply completes or {@code poll} elapses (then it completes with no actions).
     *
     * @param onTick queues the agent's refreshed {@code last_checkin} while it waits
     */
    void hold(CompletableFuture<CheckinResponse> reply, Duration poll, Runnable onTick) {
        if (!running) {
            reply.complete(CheckinResponse.nothing());
            return;
        }
        ScheduledFuture<?> timer = scheduler.schedule(
                () -> reply.complete(CheckinResponse.nothing()), poll.toNanos(), TimeUnit.NANOSECONDS);
        held.put(reply, onTick);
        reply.whenComplete((response, error) -> {
            held.remove(reply);
            timer.cancel(false);
        });
    }

    int size() {
        return held.size();
    }

    /** Tasks in the timer queue: one per waiting poll, plus the periodic refresh. */
    int queuedTimers() {
        return ((ScheduledThreadPoolExecutor) scheduler).getQueue().size();
    }

    @Override
    public void start() {
        var timers = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("fleet-checkin-timers").factory());
        // A poll answered early cancels its timer; without this the cancelled timer would stay queued for the
        // rest of the poll (minutes), so the queue would grow with every delivery and reconnect.
        timers.setRemoveOnCancelPolicy(true);
        scheduler = timers;
        scheduler.scheduleAtFixedRate(
                () -> held.values().forEach(Runnable::run), tick.toNanos(), tick.toNanos(), TimeUnit.NANOSECONDS);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        held.keySet().forEach(reply -> reply.complete(CheckinResponse.nothing()));
        scheduler.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown, so open polls are answered instead of waited for. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
