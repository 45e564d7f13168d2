package dev.fleetserver.limits;

import java.time.Duration;

/**
 * The effective limits of one agent-facing route, after merging the configuration over the tier.
 *
 * @param interval token-bucket refill period, one request per interval; zero = no rate limit
 * @param burst bucket size; with a non-zero interval, 0 rejects every request
 * @param max concurrent requests on the route, held for the whole request (a checkin: its whole long poll);
 *     0 = no cap
 * @param maxBodyByteSize request body cap; 0 = none
 */
public record RouteLimit(Duration interval, int burst, int max, long maxBodyByteSize) {

    /** Whether requests pass a token bucket. */
    public boolean isRateLimited() {
        return interval.isPositive();
    }

    /** Whether the number of concurrent requests is capped. */
    public boolean isConcurrencyCapped() {
        return max > 0;
    }
}
