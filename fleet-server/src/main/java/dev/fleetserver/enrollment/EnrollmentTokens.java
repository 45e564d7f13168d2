package dev.fleetserver.enrollment;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fleetserver.api.UpstreamFailureException;
import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyAuthenticator;
import dev.fleetserver.config.ServerConfig;
import java.time.Duration;
import java.util.List;

/**
 * Resolves an enrollment token to its record (agent-api §7.5, §9.2–9.3): a static policy token from the
 * configuration, else a valid API key with exactly one active {@code .fleet-enrollment-api-keys} record
 * (cached briefly, as upstream does).
 */
final class EnrollmentTokens {

    private final ApiKeyAuthenticator authenticator;
    private final EnrollmentKeyStore store;
    private final ServerConfig.StaticPolicyTokens staticTokens;
    private final Cache<String, EnrollmentKey> records;

    EnrollmentTokens(
            ApiKeyAuthenticator authenticator,
            EnrollmentKeyStore store,
            ServerConfig.StaticPolicyTokens staticTokens,
            Duration ttl) {
        this.authenticator = authenticator;
        this.store = store;
        this.staticTokens = staticTokens;
        this.records =
                Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(ttl).build();
    }

    /** Drops the cached record of a key (e.g. one just revoked). */
    void forget(String apiKeyId) {
        records.invalidate(apiKeyId);
    }

    EnrollmentKey resolve(ApiKey token) {
        if (staticTokens.enabled()) {
            for (ServerConfig.PolicyToken configured : staticTokens.policyTokens()) {
                if (configured.tokenKey().value().equals(token.secret())) {
                    if (!store.policyExists(configured.policyId())) {
                        throw new PolicyNotFoundException();
                    }
                    return new EnrollmentKey(token.id(), configured.policyId(), List.of());
                }
            }
        }
        authenticator.authenticate(token);
        EnrollmentKey cached = records.getIfPresent(token.id());
        if (cached != null) {
            return cached;
        }
        List<EnrollmentKey> found = store.findActive(token.id());
        if (found.size() != 1) {
            // Upstream's generic 500 (Quirk Q1), e.g. for an agent's access key used to enroll.
            throw new UpstreamFailureException("FindEnrollmentAPIKey: hit count mismatch " + found.size());
        }
        records.put(token.id(), found.getFirst());
        return found.getFirst();
    }
}
