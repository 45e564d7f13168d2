package dev.fleetserver.load.agent;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The agent's equal-jitter backoff (agent-behavior §2.4, §3.4, §4.3): the k-th consecutive failure waits in
 * {@code [min(d, max/2), min(d, max/2) + min(d, max))} with {@code d = initial·2^(k-1)}, e.g. for checkins
 * (60 s, 10 min): [60,120), [120,240), [240,480), [300,780), then [300,900) seconds.
 */
record Backoff(long initialMillis, long maxMillis) {

    static final Backoff ENROLL = new Backoff(5_000, 600_000);
    static final Backoff CHECKIN = new Backoff(60_000, 600_000);
    static final Backoff ACK_RETRY = new Backoff(60_000, 300_000);

    /** The wait before the next attempt after {@code failures} failures in a row, scaled by {@code scale}. */
    long waitMillis(int failures, double scale) {
        long d = initialMillis << Math.min(Math.max(0, failures - 1), 20);
        long low = Math.min(d, maxMillis / 2);
        long width = Math.min(d, maxMillis);
        return (long) ((low + ThreadLocalRandom.current().nextLong(width)) * scale);
    }
}
