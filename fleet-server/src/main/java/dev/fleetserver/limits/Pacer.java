package dev.fleetserver.limits;

import io.github.bucket4j.Bucket;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Paces a hand-out that may fan out to many waiting long polls (actions, policy revisions): callers block
 * until a token is free, one token per {@code interval}, up to {@code burst} saved up. Upstream introduced
 * this to bound how many responses are being built at once.
 */
public final class Pacer {

    private final @Nullable Bucket bucket;

    /**
     * @param interval one hand-out per interval; zero or negative = unpaced
     * @param burst hand-outs allowed at once after a quiet period; below 1 counts as 1, since a blocking pacer
     *     without capacity would never let anything through
     */
    public Pacer(Duration interval, int burst) {
        this.bucket = interval.isPositive() ? TokenBuckets.of(interval, Math.max(1, burst)) : null;
    }

    /** Waits for the next turn; returns at once when unpaced. */
    public void acquire() throws InterruptedException {
        if (bucket != null) {
            bucket.asBlocking().consume(1);
        }
    }

    /** Whether {@link #acquire()} may ever wait. */
    public boolean isPaced() {
        return bucket != null;
    }
}
