package dev.fleetserver.enrollment;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fleetserver.api.UpstreamFailureException;
import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyAuthenticator;
import dev.fleetserver.config.ServerConfig;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

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

    /** Step 1 of agent-api §9.2: the token is a configured static policy token or a valid API key. */
    VerifiedToken verify(ApiKey token) {
        if (staticTokens.enabled()) {
            for (ServerConfig.PolicyToken configured : staticTokens.policyTokens()) {
                if (configured.tokenKey().value().equals(token.secret())) {
                    return new VerifiedToken(token, configured.policyId());
                }
            }
        }
        authenticator.authenticate(token);
        return new VerifiedToken(token, null);
    }

    /** Step 3 of agent-api §9.2: the enrollment record of a verified token. */
    EnrollmentKey resolve(VerifiedToken verified) {
        ApiKey token = verified.token();
        if (verified.staticPolicyId() != null) {
            if (!store.policyExists(verified.staticPolicyId())) {
                throw new PolicyNotFoundException();
            }
            return new EnrollmentKey(token.id(), verified.staticPolicyId(), List.of());
        }
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

    /** A token that passed step 1; {@code staticPolicyId} is set for a static policy token. */
    record VerifiedToken(ApiKey token, @Nullable String staticPolicyId) {}
}
