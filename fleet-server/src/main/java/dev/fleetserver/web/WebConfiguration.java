package dev.fleetserver.web;

import dev.fleetserver.web.errors.FleetErrorWriter;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The agent listener's HTTP plumbing: request ids, header checks, Fleet's errors, connection tracking. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    private final FleetErrorWriter errorWriter = new FleetErrorWriter();

    @Bean
    FleetErrorWriter fleetErrorWriter() {
        return errorWriter;
    }

    @Bean
    FilterRegistrationBean<RequestIdFilter> requestIdFilter() {
        var registration = new FilterRegistrationBean<>(new RequestIdFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setAsyncSupported(true);
        return registration;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new RequestHeadersInterceptor(errorWriter)).excludePathPatterns("/error");
    }

    @Bean(destroyMethod = "close")
    ClientDisconnects clientDisconnects() {
        return new ClientDisconnects(Duration.ofSeconds(1));
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> connectionTracking(
            ObjectProvider<ConnectionListener> listeners, ClientDisconnects disconnects) {
        return factory -> {
            factory.setProtocol(ConnectionTrackingProtocol.class.getName());
            factory.addContextCustomizers(context -> ((org.apache.catalina.core.StandardHost) context.getParent())
                    .setErrorReportValveClass(FleetErrorReportValve.class.getName()));
            factory.addEngineValves(new ReaderBufferValve());
            ConnectionListener listener = listeners.getIfAvailable(() -> ConnectionListener.NONE);
            factory.addConnectorCustomizers((TomcatConnectorCustomizer) connector -> {
                if (connector.getProtocolHandler() instanceof ConnectionTrackingProtocol protocol) {
                    protocol.setConnectionListener(listener);
                    disconnects.register(protocol);
                    // Every agent holds a connection for its long poll: Tomcat's default ceiling of 8192 would
                    // queue the rest. The server's own max_connections cap applies instead when configured.
                    if (protocol.getMaxConnections() == 8192) {
                        protocol.setMaxConnections(-1);
                    }
                }
            });
        };
    }
}
