package dev.fleetserver.ack;

import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.auth.AgentAuthenticator;
import dev.fleetserver.auth.ApiKeyAuthenticator;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.policy.OutputKeys;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Acknowledgements. */
@Configuration(proxyBeanMethods = false)
class AckConfiguration {

    @Bean
    AckService ackService(
            FleetServerConfig config,
            AgentAuthenticator authenticator,
            ApiKeyAuthenticator keyCache,
            AgentStore agents,
            ActionStore actions,
            ApiKeys apiKeys,
            OutputKeys outputKeys) {
        return new AckService(
                authenticator,
                keyCache,
                agents,
                actions,
                apiKeys,
                outputKeys,
                config.input().cache().ttlAction());
    }
}
