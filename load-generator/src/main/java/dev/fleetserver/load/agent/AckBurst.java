package dev.fleetserver.load.agent;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop ack load: acks are started on a fixed schedule (not when the previous one returns), so a slow
 * server shows up as latency and as acks the generator could not start, not as a quietly lower rate.
 */
public final class AckBurst {

    /** What the burst did: acks started and those skipped because {@code maxInFlight} were outstanding. */
    public record Result(long started, long skipped, long elapsedMillis) {
        public Result plus(Result other) {
            return new Result(
                    started + other.started, skipped + other.skipped, Math.max(elapsedMillis, other.elapsedMillis));
        }
    }

    private AckBurst() {}

    static Result run(List<LoadAgent> agents, double ratePerSecond, long durationMillis, int maxInFlight) {
        if (agents.isEmpty() || ratePerSecond <= 0) {
            return new Result(0, 0, 0);
        }
        Semaphore inFlight = new Semaphore(maxInFlight);
        LongAdder started = new LongAdder();
        LongAdder skipped = new LongAdder();
        long intervalNanos = (long) (1_000_000_000 / ratePerSecond);
        long begin = System.nanoTime();
        long end = begin + TimeUnit.MILLISECONDS.toNanos(durationMillis);
        long next = begin;
        int cursor = 0;
        while (next < end) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            LoadAgent agent = agents.get(cursor++ % agents.size());
            if (inFlight.tryAcquire()) {
                started.increment();
                Thread.ofVirtual().start(() -> {
                    try {
                        agent.reAck();
                    } finally {
                        inFlight.release();
                    }
                });
            } else {
                skipped.increment();
            }
            next += intervalNanos;
        }
        inFlight.acquireUninterruptibly(maxInFlight); // wait for the last acks
        inFlight.release(maxInFlight);
        return new Result(started.sum(), skipped.sum(), (System.nanoTime() - begin) / 1_000_000);
    }
}
