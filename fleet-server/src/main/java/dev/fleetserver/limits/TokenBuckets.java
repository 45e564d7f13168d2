package dev.fleetserver.limits;

import io.github.bucket4j.Bucket;
import java.time.Duration;

/** Token buckets that behave like Go's {@code rate.NewLimiter(rate.Every(interval), burst)}: start full. */
final class TokenBuckets {

    private TokenBuckets() {}

    /** A full bucket of {@code capacity} tokens that regains one token per {@code interval}, continuously. */
    static Bucket of(Duration interval, int capacity) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(1, interval))
                // Sub-millisecond intervals (0.25 ms) are common in the tiers; the monotonic clock also
                // ignores wall-clock jumps.
                .withNanosecondPrecision()
                .build();
    }
}
