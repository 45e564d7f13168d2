package dev.fleetserver.apikey;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Invalidates a key that may have been created moments ago: keys are created without a refresh, so the store
 * may not show them yet. Waits (up to a minute, as upstream) until the key is visible, then invalidates it.
 */
public final class ApiKeyRetirement {

    private final ApiKeys keys;
    private final Duration patience;
    private final Duration pollInterval;

    public ApiKeyRetirement(ApiKeys keys, Duration patience, Duration pollInterval) {
        this.keys = keys;
        this.patience = patience;
        this.pollInterval = pollInterval;
    }

    public static ApiKeyRetirement defaults(ApiKeys keys) {
        return new ApiKeyRetirement(keys, Duration.ofMinutes(1), Duration.ofSeconds(1));
    }

    /** @return whether the key was found and invalidated within the patience window */
    public boolean retire(String keyId) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (keys.roleDescriptors(keyId).isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(pollInterval.toNanos());
        }
        return keys.invalidate(List.of(keyId)).contains(keyId);
    }
}
