package dev.fleetserver.enrollment;

import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeyRetirement;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.auth.ApiKeyAuthenticator;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.ServerVersion;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Enrollment: tokens, replace-token hashing, the service. */
@Configuration(proxyBeanMethods = false)
class EnrollmentConfiguration {

    @Bean
    EnrollmentService enrollmentService(
            FleetServerConfig config,
            ApiKeyAuthenticator authenticator,
            EnrollmentKeyStore enrollmentKeys,
            AgentStore agents,
            ApiKeys apiKeys,
            ServerVersion version) {
        var tokens = new EnrollmentTokens(
                authenticator,
                enrollmentKeys,
                config.server().staticPolicyTokens(),
                config.input().cache().ttlEnrollKey());
        return new EnrollmentService(
                tokens,
                agents,
                apiKeys,
                ApiKeyRetirement.defaults(apiKeys),
                authenticator,
                new ReplaceTokens(config.server().pdkdf2()),
                version);
    }
}
