package dev.fleetserver.limits;

import io.github.bucket4j.Bucket;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * One route's limiter: a token bucket, then a non-blocking cap on concurrent requests. Both checks are
 * non-blocking; a request that got a slot must {@link #release()} it exactly once.
 */
final class RouteLimiter {

    /** What became of a request at the limiter. */
    enum Admission {
        ADMITTED,
        RATE_LIMITED,
        MAX_LIMITED
    }

    private final boolean rateLimited;
    private final @Nullable Bucket bucket;
    private final @Nullable Semaphore slots;

    RouteLimiter(RouteLimit limit) {
        this.rateLimited = limit.isRateLimited();
        // With an interval but no burst the bucket can never hold a token: every request is refused, as
        // Go's limiter refuses with burst 0. Bucket4j needs a positive capacity, so there is no bucket then.
        this.bucket = rateLimited && limit.burst() > 0 ? TokenBuckets.of(limit.interval(), limit.burst()) : null;
        this.slots = limit.isConcurrencyCapped() ? new Semaphore(limit.max()) : null;
    }

    /** Takes a token, then a slot; a refused request keeps neither (a token once taken is spent). */
    Admission tryAdmit() {
        if (rateLimited && (bucket == null || !bucket.tryConsume(1))) {
            return Admission.RATE_LIMITED;
        }
        if (slots != null && !slots.tryAcquire()) {
            return Admission.MAX_LIMITED;
        }
        return Admission.ADMITTED;
    }

    /** Gives back the slot of an admitted request. */
    void release() {
        if (slots != null) {
            slots.release();
        }
    }
}
