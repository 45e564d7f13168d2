package dev.fleetserver.testsupport;

import static org.awaitility.Awaitility.await;

import dev.fleetserver.FleetServerApplication;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.health.HealthState;
import dev.fleetserver.health.ServerHealth;
import dev.fleetserver.metrics.MonitoringServer;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** A whole server started in this JVM on random ports, as {@code main} would start it. */
public final class RunningServer implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final String scheme;

    private RunningServer(ConfigurableApplicationContext context, String scheme) {
        this.context = context;
        this.scheme = scheme;
    }

    public static RunningServer start(FleetServerConfig config) {
        String scheme = config.server().tlsEnabled() ? "https" : "http";
        return new RunningServer(FleetServerApplication.run(config, "--server.port=0"), scheme);
    }

    /** The agent listener, e.g. {@code http://127.0.0.1:41234}. */
    public URI agentUri() {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return URI.create(scheme + "://127.0.0.1:" + port);
    }

    public URI agent(String path) {
        return URI.create(agentUri() + path);
    }

    /** The monitoring listener. */
    public URI monitoring(String path) {
        return URI.create(
                "http://127.0.0.1:" + context.getBean(MonitoringServer.class).port() + path);
    }

    public HealthState state() {
        return context.getBean(ServerHealth.class).state();
    }

    public RunningServer awaitState(HealthState expected, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(100)).until(() -> state() == expected);
        return this;
    }

    public RunningServer awaitHealthy() {
        return awaitState(HealthState.HEALTHY, Duration.ofSeconds(60));
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}
