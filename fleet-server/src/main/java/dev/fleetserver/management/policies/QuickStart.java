package dev.fleetserver.management.policies;

import dev.fleetserver.config.FleetServerConfig;
import dev.fleetserver.config.ServerConfig;
import dev.fleetserver.health.ServerHealth;
import dev.fleetserver.management.BootstrapOperatorKey;
import dev.fleetserver.store.StoreUnavailableException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The first start on the embedded store: when the store holds no agent policy and the configuration declares
 * none, a default policy (with its default enrollment token) is created, and the console shows the token and the
 * exact {@code elastic-agent enroll} line, plus the management API's operator key when the server made one at this
 * start. Secrets go to standard output only, once, never to the log; later starts show where to connect and
 * nothing secret.
 */
public final class QuickStart implements SmartLifecycle {

    public static final String POLICY_ID = "default-policy";
    static final String POLICY_NAME = "Default policy";

    private static final Logger log = LoggerFactory.getLogger(QuickStart.class);

    private final FleetServerConfig config;
    private final AgentPolicyService policies;
    private final Preconfigurer preconfigurer;
    private final BootstrapOperatorKey operatorKey;
    private final ServerHealth health;
    private final PrintStream console;
    private volatile boolean running;
    private volatile @Nullable Thread worker;

    QuickStart(
            FleetServerConfig config,
            AgentPolicyService policies,
            Preconfigurer preconfigurer,
            BootstrapOperatorKey operatorKey,
            ServerHealth health,
            PrintStream console) {
        this.config = config;
        this.policies = policies;
        this.preconfigurer = preconfigurer;
        this.operatorKey = operatorKey;
        this.health = health;
        this.console = console;
    }

    @Override
    public void start() {
        running = true;
        if (config.store() != FleetServerConfig.StoreKind.EMBEDDED) {
            return;
        }
        worker = Thread.ofPlatform().daemon().name("fleet-quick-start").start(this::runWhenReady);
    }

    @Override
    public void stop() {
        running = false;
        Thread thread = worker;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void runWhenReady() {
        Duration backoff = Duration.ofMillis(200);
        while (running) {
            // After the preconfiguration, which may declare the policies that make a default one unwanted.
            if (health.isReady() && preconfigurer.awaitApplied(Duration.ZERO)) {
                try {
                    show(defaultPolicyToken());
                    return;
                } catch (StoreUnavailableException e) {
                    log.warn("Default policy not created yet: {}; retrying", e.getMessage());
                }
            }
            LockSupport.parkNanos(backoff.toNanos());
            backoff = backoff.compareTo(Duration.ofSeconds(5)) >= 0 ? backoff : backoff.multipliedBy(2);
        }
    }

    /** The token of a default policy created now; empty when the fleet already has policies or declares them. */
    Optional<String> defaultPolicyToken() {
        if (!config.preconfiguration().agentPolicies().isEmpty()
                || !policies.all().isEmpty()) {
            return Optional.empty();
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("id", POLICY_ID);
        body.put("name", POLICY_NAME);
        body.put("namespace", "default");
        body.put("description", "Created by Fleet Server at its first start on the embedded store");
        // No fleet section: agents keep the URL they enrolled with instead of validating new hosts (agent-behavior
        // §5.1), and no outputs: without Elasticsearch there is nowhere to send data until the operator adds one.
        return Optional.of(policies.createWithDefaultKey(body, "fleet-server").enrollmentToken());
    }

    private void show(Optional<String> token) {
        Optional<String> authorization = operatorKey.newAuthorization();
        FleetServerConfig.Management management = config.fleet().management();
        String managementUrl = "http://" + management.host() + ":" + management.port();
        String agentUrl = agentUrl(config.server());
        StringBuilder text = new StringBuilder("\n");
        text.append("  Fleet Server runs on its embedded store (")
                .append(config.dataPath())
                .append("); agents connect to ")
                .append(agentUrl)
                .append(".\n");
        token.ifPresent(value -> text.append("\n  Enrollment token of the policy \"")
                .append(POLICY_NAME)
                .append("\" (")
                .append(POLICY_ID)
                .append("), shown once:\n\n    ")
                .append(value)
                .append("\n\n  Enroll an Elastic Agent with:\n\n    elastic-agent enroll --url ")
                .append(agentUrl)
                .append(" --enrollment-token ")
                .append(value)
                .append(" --insecure\n"));
        if (management.enabled()) {
            text.append("\n  Management API (Kibana's Fleet API): ")
                    .append(managementUrl)
                    .append('\n');
            authorization.ifPresent(value -> text.append("  Its operator key, shown once (delete ")
                    .append(config.dataPath().resolve(BootstrapOperatorKey.FILE_NAME))
                    .append(" and restart for a new one):\n\n    curl -H 'Authorization: ")
                    .append(value)
                    .append("' ")
                    .append(managementUrl)
                    .append("/api/fleet/agent_policies\n"));
            if (token.isEmpty()) {
                text.append("  A new enrollment token: POST ")
                        .append(managementUrl)
                        .append("/api/fleet/enrollment_api_keys {\"policy_id\": \"...\"}\n");
            }
        }
        console.println(text);
        console.flush();
        log.info(
                "Quick start shown on the console{}{}",
                token.isPresent() ? "; default policy " + POLICY_ID + " created" : "",
                authorization.isPresent() ? "; management operator key made" : "");
    }

    /** The URL agents reach this server at: its listener's host, or this machine's name when it listens on all. */
    static String agentUrl(ServerConfig server) {
        String host = server.host();
        if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (server.tlsEnabled() ? "https" : "http") + "://" + host + ":" + server.port();
    }
}
