package dev.fleetserver.management;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.SpringSettings;
import dev.fleetserver.web.ListenerValve;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.Http11NioProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The operator keys, and the management listener when {@code fleet.management.enabled} (the default). */
@Configuration(proxyBeanMethods = false)
class ManagementConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ManagementConfiguration.class);

    @Bean
    OperatorKeys operatorKeys(FleetServerConfig config) {
        return new OperatorKeys(config.fleet().management().apiKeys());
    }

    @Bean
    BootstrapOperatorKey bootstrapOperatorKey(FleetServerConfig config, OperatorKeys keys) {
        return BootstrapOperatorKey.apply(config, keys);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = SpringSettings.MANAGEMENT_PROPERTY, havingValue = "true")
    static class Listener {

        @Bean
        ManagementListener managementListener(FleetServerConfig config) {
            FleetServerConfig.Management management = config.fleet().management();
            // A plain connector: none of the agent listener's connector settings (connection tracking, caps,
            // TLS) apply to it, since Spring customizes only the main connector.
            Connector connector = new Connector(Http11NioProtocol.class.getName());
            connector.setPort(management.port());
            connector.setProperty("address", management.host());
            return new ManagementListener(connector);
        }

        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> managementConnector(ManagementListener listener) {
            return factory -> {
                factory.addAdditionalConnectors(listener.connector());
                factory.addEngineValves(new ListenerValve(listener.connector()));
            };
        }

        @Bean
        ManagementHandlerMapping managementHandlerMapping(OperatorKeys keys) {
            ManagementHandlerMapping mapping = new ManagementHandlerMapping();
            mapping.setInterceptors(new OperatorAuthentication(keys));
            return mapping;
        }

        @Bean
        ManagementHandlerMapping.NotFound managementNotFound() {
            return new ManagementHandlerMapping.NotFound();
        }

        @Bean
        ApplicationListener<WebServerInitializedEvent> managementListenerStarted(
                ManagementListener listener, FleetServerConfig config) {
            return event -> log.info(
                    "Management API (Kibana's Fleet API) on http://{}:{}",
                    config.fleet().management().host(),
                    listener.port());
        }
    }
}
