package dev.fleetserver.health;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The server's health state and the monitor that keeps it current. */
@Configuration(proxyBeanMethods = false)
class HealthConfiguration {

    @Bean
    ServerHealth serverHealth() {
        return new ServerHealth();
    }

    @Bean
    HealthMonitor healthMonitor(StoreProbe store, ServerHealth health) {
        return new HealthMonitor(store, health, HealthMonitor.Timing.defaults());
    }
}
