package dev.fleetserver.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Verifies agents' API keys, remembering successful checks so that most requests cost no call to the
 * credential store (agent-api §7.2–7.3).
 *
 * <p>A cache hit needs the same secret as the check that filled it; only a digest of the secret is kept.
 * Failures are not cached: a refused key is asked about again, as upstream does. Each entry lives for the TTL
 * minus a random jitter, so that keys checked together during a mass reconnect do not expire together. The
 * number of concurrent checks against the store is capped; callers wait for a slot.
 */
public final class ApiKeyAuthenticator {

    private final ApiKeyVerifier verifier;
    private final Cache<String, byte[]> validKeys;
    private final Semaphore checks;

    /**
     * @param ttl how long a successful check is trusted ({@code cache.ttl_api_key})
     * @param jitter up to this much is taken off each entry's TTL, when smaller than the TTL
     * @param maxEntries bound of the cache
     * @param maxConcurrentChecks cap on simultaneous calls to the store
     */
    public ApiKeyAuthenticator(
            ApiKeyVerifier verifier, Duration ttl, Duration jitter, long maxEntries, int maxConcurrentChecks) {
        this.verifier = verifier;
        this.validKeys = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(new JitteredTtl(ttl, jitter))
                .build();
        this.checks = new Semaphore(Math.max(1, maxConcurrentChecks), true);
    }

    public VerifiedApiKey authenticate(ApiKey key) {
        byte[] digest = digest(key.secret());
        byte[] cached = validKeys.getIfPresent(key.id());
        if (cached != null && MessageDigest.isEqual(cached, digest)) {
            return new VerifiedApiKey(key.id());
        }
        VerifiedApiKey verified = verifyBounded(key);
        validKeys.put(key.id(), digest);
        return verified;
    }

    /** Trusts a key the server itself just created (e.g. at enrollment), sparing the first request a check. */
    public void remember(ApiKey key) {
        validKeys.put(key.id(), digest(key.secret()));
    }

    /** Forgets a key, e.g. when its agent turned out inactive, so the next request is checked again. */
    public void forget(String keyId) {
        validKeys.invalidate(keyId);
    }

    private VerifiedApiKey verifyBounded(ApiKey key) {
        try {
            checks.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to check an API key", e);
        }
        try {
            return verifier.verify(key);
        } finally {
            checks.release();
        }
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** TTL minus a random jitter in [0, jitter), applied only when the jitter is smaller than the TTL. */
    private record JitteredTtl(Duration ttl, Duration jitter) implements Expiry<String, byte[]> {

        @Override
        public long expireAfterCreate(String key, byte[] value, long currentTime) {
            long nanos = ttl.toNanos();
            long spread = jitter.toNanos();
            if (spread > 0 && spread < nanos) {
                nanos -= ThreadLocalRandom.current().nextLong(spread);
            }
            return nanos;
        }

        @Override
        public long expireAfterUpdate(String key, byte[] value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, byte[] value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
