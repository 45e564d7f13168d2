package dev.fleetserver.metrics;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.health.ServerHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Request metrics for the agent listener and the monitoring listener that serves them. */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    ServerMetrics serverMetrics(MeterRegistry registry) {
        return new ServerMetrics(registry);
    }

    @Bean
    FilterRegistrationBean<RouteMetricsFilter> routeMetricsFilter(ServerMetrics metrics) {
        var registration = new FilterRegistrationBean<>(new RouteMetricsFilter(metrics));
        // Right after the request id, before anything that may answer early (limits, errors).
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        registration.setAsyncSupported(true);
        return registration;
    }

    @Bean
    MonitoringServer monitoringServer(
            FleetServerConfig config,
            ServerMetrics metrics,
            PrometheusMeterRegistry prometheus,
            ServerHealth health,
            ApplicationAvailability availability,
            ServerVersion version) {
        return new MonitoringServer(config.http(), metrics, prometheus, health, availability, version);
    }
}
