package dev.fleetserver.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Beans derived from the loaded {@link FleetServerConfig}, which {@code FleetServerApplication} registers
 * before the context starts.
 */
@Configuration(proxyBeanMethods = false)
class ConfigConfiguration {

    @Bean
    ServerVersion serverVersion(FleetServerConfig config) {
        return ServerVersion.of(config);
    }
}
