package dev.fleetserver.auth;

import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.config.ElasticsearchOutput;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.InputConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** API-key authentication with upstream's cache settings. */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

    /** Upstream's default cache budget (50 MiB) at roughly 200 bytes per cached key. */
    private static final long DEFAULT_MAX_KEYS = 250_000;

    @Bean
    ApiKeyAuthenticator apiKeyAuthenticator(ApiKeyVerifier verifier, FleetServerConfig config) {
        InputConfig.Cache cache = config.input().cache();
        ElasticsearchOutput es = config.output().elasticsearch();
        // Upstream keeps flush_max_pending connections for bulk writes and uses the rest for key checks.
        int concurrentChecks = es == null
                ? 120
                : Math.max(1, es.maxConnPerHost() - config.server().bulk().flushMaxPending());
        long maxKeys = cache.maxCost() != null && cache.maxCost() > 0 ? cache.maxCost() / 200 : DEFAULT_MAX_KEYS;
        return new ApiKeyAuthenticator(verifier, cache.ttlApiKey(), cache.jitterApiKey(), maxKeys, concurrentChecks);
    }

    @Bean
    AgentAuthenticator agentAuthenticator(ApiKeyAuthenticator keys, AgentStore agents) {
        return new AgentAuthenticator(keys, agents);
    }
}
