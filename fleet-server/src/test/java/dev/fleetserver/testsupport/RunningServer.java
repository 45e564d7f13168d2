package dev.fleetserver.testsupport;

import static org.awaitility.Awaitility.await;

import dev.fleetserver.FleetServerApplication;
import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.health.HealthState;
import dev.fleetserver.health.ServerHealth;
import dev.fleetserver.management.ManagementListener;
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

    /** Starts the server with both its listeners on ports the system chooses. */
    public static RunningServer start(FleetServerConfig config) {
        String scheme = config.server().tlsEnabled() ? "https" : "http";
        return new RunningServer(FleetServerApplication.run(managementOnAnyPort(config), "--server.port=0"), scheme);
    }

    /** The same configuration with {@code fleet.management.port: 0}, as the agent listener gets port 0. */
    private static FleetServerConfig managementOnAnyPort(FleetServerConfig config) {
        FleetServerConfig.Fleet fleet = config.fleet();
        FleetServerConfig.Management management = fleet.management();
        return new FleetServerConfig(
                config.output(),
                new FleetServerConfig.Fleet(
                        fleet.agent(),
                        fleet.host(),
                        fleet.store(),
                        new FleetServerConfig.Management(
                                management.enabled(),
                                management.host(),
                                0,
                                management.apiKeys(),
                                management.apiKeysFile())),
                config.inputs(),
                config.http(),
                config.logging(),
                config.path(),
                config.preconfiguration());
    }

    /** The agent listener, e.g. {@code http://127.0.0.1:41234}. */
    public URI agentUri() {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return URI.create(scheme + "://127.0.0.1:" + port);
    }

    public URI agent(String path) {
        return URI.create(agentUri() + path);
    }

    /** The management listener (Kibana's Fleet API), e.g. {@code http://127.0.0.1:41235}. */
    public URI managementUri() {
        return URI.create(
                "http://127.0.0.1:" + context.getBean(ManagementListener.class).port());
    }

    public URI management(String path) {
        return URI.create(managementUri() + path);
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
