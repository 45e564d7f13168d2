package dev.fleetserver.limits;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.GoDuration;
import dev.fleetserver.metrics.ServerMetrics;
import dev.fleetserver.web.ConnectionTrackingProtocol;
import dev.fleetserver.web.Route;
import dev.fleetserver.web.errors.FleetErrorWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The limits of the agent listener, in the order config-and-ops §4 gives: the hard TCP cap at accept, the
 * in-flight cap, the per-route limiter. The effective limits are resolved once at start and logged.
 */
@Configuration(proxyBeanMethods = false)
class LimitsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LimitsConfiguration.class);

    @Bean
    EffectiveLimits effectiveLimits(FleetServerConfig config) {
        EffectiveLimits limits = EffectiveLimits.of(config.server());
        int maxAgents = config.server().limits().maxAgents();
        log.info(
                "Limits from tier {} (max_agents {}, {} MiB available): checkin {}, enroll {}, ack {}, max_connections {}",
                limits.tierName(),
                maxAgents,
                limits.availableMemory() / (1024 * 1024),
                describe(limits.route(Route.CHECKIN)),
                describe(limits.route(Route.ENROLL)),
                describe(limits.route(Route.ACKS)),
                limits.maxConnections() > 0 ? limits.maxConnections() : "none");
        if (limits.isBelowRecommendedMemory()) {
            log.warn(
                    "limits.max_agents {} selects tier {}, which recommends {} MiB of memory; {} MiB are available",
                    maxAgents,
                    limits.tierName(),
                    limits.tier().recommendedMemoryMiB(),
                    limits.availableMemory() / (1024 * 1024));
        }
        if (config.server().limits().maxConnections() != 0) {
            // Upstream means to print this but checks a path that never matches; the spec asks for a real one.
            log.warn("limits.max_connections is deprecated; size the server with limits.max_agents instead");
        }
        return limits;
    }

    @Bean
    FilterRegistrationBean<InFlightLimitFilter> inFlightLimitFilter(EffectiveLimits limits, ServerMetrics metrics) {
        var registration = new FilterRegistrationBean<>(new InFlightLimitFilter(limits.maxConnections(), metrics));
        registration.setOrder(InFlightLimitFilter.ORDER);
        registration.setAsyncSupported(true);
        registration.setEnabled(limits.maxConnections() > 0);
        return registration;
    }

    @Bean
    FilterRegistrationBean<RouteLimitFilter> routeLimitFilter(
            EffectiveLimits limits, ServerMetrics metrics, FleetErrorWriter errors) {
        var registration = new FilterRegistrationBean<>(new RouteLimitFilter(limits, metrics, errors));
        registration.setOrder(RouteLimitFilter.ORDER);
        registration.setAsyncSupported(true);
        return registration;
    }

    /** The hard TCP cap: connections beyond {@code floor(1.1 × max_connections)} are closed at accept. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> connectionCap(EffectiveLimits limits) {
        long cap = limits.maxOpenConnections();
        return factory -> factory.addConnectorCustomizers((TomcatConnectorCustomizer) connector -> {
            if (cap > 0 && connector.getProtocolHandler() instanceof ConnectionTrackingProtocol protocol) {
                protocol.setMaxOpenConnections(cap);
            }
        });
    }

    private static String describe(RouteLimit limit) {
        return GoDuration.format(limit.interval()) + "/" + limit.burst() + "/"
                + (limit.max() > 0 ? limit.max() : "none");
    }
}
