package dev.fleetserver.load;

import dev.fleetserver.load.admin.ElasticsearchFleetAdmin;
import dev.fleetserver.load.admin.FleetAdmin;
import dev.fleetserver.load.admin.ManagementFleetAdmin;
import dev.fleetserver.load.agent.AgentCredentials;
import dev.fleetserver.load.agent.AgentGroup;
import dev.fleetserver.load.agent.AgentSpec;
import dev.fleetserver.load.agent.Deliveries;
import dev.fleetserver.load.agent.LocalAgentGroup;
import dev.fleetserver.load.agent.Stats;
import dev.fleetserver.load.agent.WorkerProcessGroup;
import dev.fleetserver.load.server.ServerProbe;
import dev.fleetserver.load.server.ServerProcess;
import dev.fleetserver.testing.elasticsearch.ElasticsearchNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import tools.jackson.databind.node.ObjectNode;

/**
 * One run of a scenario: what it started (Elasticsearch, the server), the admin side, the probe of the server,
 * and the groups of simulated agents spread over as many processes as the open-file limit requires. Closing it
 * stops everything it started, in reverse order.
 */
public final class LoadRun implements AutoCloseable {

    private final Options options;
    private final Report report = new Report();
    private final List<AgentGroup> groups = new ArrayList<>();
    private final ExecutorService fanOut = Executors.newVirtualThreadPerTaskExecutor();
    private ElasticsearchNode elasticsearch;
    private ServerProcess server;
    private FleetAdmin admin;
    private ServerProbe probe;
    private String fleet;
    private long startNanos = System.nanoTime();

    private LoadRun(Options options) {
        this.options = options;
        report.root().put("scenario", options.scenario());
    }

    public static LoadRun open(Options options) {
        LoadRun run = new LoadRun(options);
        try {
            run.connect();
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    private void connect() {
        Path workDir = Path.of(options.string("work-dir", "load-run")).toAbsolutePath();
        URI elasticsearchUri = null;
        String superuser = options.string("elasticsearch-user", System.getenv("ELASTICSEARCH_SUPERUSER"));
        String serviceToken = options.string("service-token", System.getenv("ELASTICSEARCH_SERVICE_TOKEN"));
        if (options.flag("start-elasticsearch")) {
            log("starting Elasticsearch (15-30 s)...");
            elasticsearch = ElasticsearchNode.start(workDir.resolve("elasticsearch"));
            elasticsearchUri = elasticsearch.httpUri();
            superuser = elasticsearch.superuser() + ":" + elasticsearch.superuserPassword();
            serviceToken = elasticsearch.serviceToken();
        } else if (options.has("elasticsearch")) {
            elasticsearchUri = URI.create(options.string("elasticsearch", null));
        }
        boolean embedded = options.string("store", "elasticsearch").equals("embedded");
        ObjectNode setup = report.section("setup");
        setup.put("store", embedded ? "embedded" : "elasticsearch");
        if (options.flag("start-server")) {
            if (!embedded && elasticsearchUri == null) {
                throw new IllegalArgumentException("--start-server needs --elasticsearch or --start-elasticsearch");
            }
            List<String> jvm =
                    Arrays.asList(options.string("server-jvm", "-Xmx2g").trim().split("\\s+"));
            server = ServerProcess.start(
                    Path.of(options.string("server-jar", "fleet-server/target/fleet-server.jar")),
                    workDir.resolve("server"),
                    embedded ? null : elasticsearchUri,
                    serviceToken,
                    jvm,
                    options.all("server-set"));
            Duration ready = server.awaitReady(Duration.ofMinutes(3));
            setup.put("server_start_to_ready_ms", ready.toMillis());
            setup.put("server_jvm", String.join(" ", jvm));
            setup.put("server_log", server.log().toString());
            fleet = server.agentAddress();
            probe = new ServerProbe(server.pid(), server.monitoring());
        } else {
            fleet = options.string("fleet", "127.0.0.1:8220");
            long pid = options.has("server-pid")
                    ? Long.parseLong(options.string("server-pid", null))
                    : ServerProbe.pidListeningOn(Integer.parseInt(fleet.substring(fleet.lastIndexOf(':') + 1)));
            URI monitoring = options.has("monitoring") ? URI.create(options.string("monitoring", null)) : null;
            probe = new ServerProbe(pid, monitoring);
        }
        setup.put("server_overrides", String.join(" ", options.all("server-set")));
        admin = admin(embedded, elasticsearchUri, superuser);
        if (admin != null) {
            admin.awaitReady(Duration.ofMinutes(1).toMillis());
        }
        setup.put("admin", admin == null ? "none" : admin.getClass().getSimpleName());
        setup.put("fleet", fleet);
        setup.put("server_pid", probe.pid());
        setup.put("machine_cpus", Runtime.getRuntime().availableProcessors());
        setup.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        setup.put("started_at", Instant.now().toString());
    }

    /**
     * The admin side: the management API when the store is embedded or {@code --admin management} is given (of the
     * started server, or {@code --management URL} with {@code --operator-key id:key}); else Elasticsearch's documents.
     */
    private FleetAdmin admin(boolean embedded, URI elasticsearchUri, String superuser) {
        String kind = options.string("admin", embedded ? "management" : "elasticsearch");
        int inputs = options.integer("policy-inputs", 10);
        if (kind.equals("management")) {
            URI management;
            String keyId;
            String key;
            if (server != null && !options.has("management")) {
                management = server.management();
                keyId = ServerProcess.OPERATOR_KEY_ID;
                key = server.operatorKey();
            } else {
                management = URI.create(options.string("management", "http://127.0.0.1:8222"));
                String idColonKey = options.string("operator-key", System.getenv("FLEET_OPERATOR_KEY"));
                if (idColonKey == null || !idColonKey.contains(":")) {
                    throw new IllegalArgumentException("--operator-key id:key (or env FLEET_OPERATOR_KEY) is required"
                            + " for the management API of a running server");
                }
                keyId = idColonKey.substring(0, idColonKey.indexOf(':'));
                key = idColonKey.substring(idColonKey.indexOf(':') + 1);
            }
            report.section("setup").put("management", management.toString());
            // On the embedded store there is no Elasticsearch to create agents' output keys in: the output carries
            // its own (agents of the benchmark never write to it).
            return new ManagementFleetAdmin(
                    management,
                    keyId,
                    key,
                    elasticsearchUri == null ? "http://127.0.0.1:9200" : elasticsearchUri.toString(),
                    embedded ? "load-generator:not-a-real-key" : null);
        }
        if (!kind.equals("elasticsearch")) {
            throw new IllegalArgumentException("--admin: elasticsearch or management, not " + kind);
        }
        if (elasticsearchUri == null) {
            return null;
        }
        if (superuser == null) {
            throw new IllegalArgumentException("--elasticsearch-user (or ELASTICSEARCH_SUPERUSER) is required");
        }
        return new ElasticsearchFleetAdmin(elasticsearchUri, superuser);
    }

    public Options options() {
        return options;
    }

    public Report report() {
        return report;
    }

    public ServerProbe probe() {
        return probe;
    }

    /** The admin side; fails when the run has none. */
    public FleetAdmin admin() {
        if (admin == null) {
            throw new IllegalStateException(
                    "no admin side: give --elasticsearch, or --admin management with --management and --operator-key");
        }
        return admin;
    }

    public String policy() {
        return options.string("policy", "load-policy");
    }

    // ---------------------------------------------------------------- agents

    /**
     * Starts {@code count} agents: from {@code --agents-file} when given, else enrolling with a new token for the
     * policy. Spreads them over in-process or worker groups.
     */
    public void startAgents(int count, boolean checkin) {
        List<AgentCredentials> credentials = List.of();
        String token = null;
        if (options.has("agents-file")) {
            credentials = readAgents(Path.of(options.string("agents-file", null)), count);
        } else {
            admin().ensurePolicy(policy(), options.integer("policy-inputs", 10));
            token = admin().createEnrollmentToken(policy());
        }
        int processes = processes(count);
        AgentSpec spec = agentSpec(count, token, checkin, processes);
        List<String> sources = spec.sourceAddresses();
        ObjectNode setup = report.section("setup");
        setup.put("agents", count);
        setup.put("generator_processes", processes);
        setup.put("source_addresses", String.join(",", sources));
        setup.put("start_rate_per_s", options.number("start-rate", 80));
        setup.put("backoff_scale", spec.backoffScale());
        setup.put("agents_from", credentials.isEmpty() ? "enrollment" : options.string("agents-file", null));
        for (int g = 0; g < processes; g++) {
            AgentGroup group = processes == 1
                    ? new LocalAgentGroup()
                    : WorkerProcessGroup.launch(
                            "worker-" + g,
                            Arrays.asList(options.string("worker-jvm", "-Xmx1g")
                                    .trim()
                                    .split("\\s+")));
            groups.add(group);
            int from = (int) ((long) g * count / processes);
            int to = (int) ((long) (g + 1) * count / processes);
            List<AgentCredentials> share =
                    credentials.isEmpty() ? List.of() : credentials.subList(from, Math.min(to, credentials.size()));
            group.start(spec, from, to - from, share);
        }
        startNanos = System.nanoTime();
    }

    /** The agents' behaviour from the options, for {@code count} agents spread over {@code processes}. */
    public AgentSpec agentSpec(int count, String token, boolean checkin, int processes) {
        int sourceCount = options.integer("sources", Math.max(2, (count + 9_999) / 10_000));
        List<String> sources = new ArrayList<>();
        for (int i = 1; i <= sourceCount; i++) {
            sources.add("127.0.0." + i);
        }
        return new AgentSpec(
                fleet,
                sources,
                options.string("agent-version", "9.5.0"),
                token,
                options.number("start-rate", 80) / processes,
                options.integer("enroll-concurrency", 32),
                options.flag("enrollment-id"),
                options.number("retry-fraction", 0),
                checkin,
                options.number("backoff-scale", 1),
                Duration.ofMinutes(10).toMillis());
    }

    private int processes(int count) {
        String wanted = options.string("processes", "auto");
        if (!wanted.equals("auto")) {
            return Math.max(1, Integer.parseInt(wanted));
        }
        int perProcess = options.integer("agents-per-process", 8000);
        return Math.max(1, (count + perProcess - 1) / perProcess);
    }

    public Stats.GroupStatus status() {
        return gather(AgentGroup::status, Stats.GroupStatus::plus, Stats.GroupStatus.empty());
    }

    public Stats.Snapshot stats() {
        return gather(AgentGroup::stats, Stats.Snapshot::plus, Stats.Snapshot.empty());
    }

    public Deliveries.Delivery delivery(String actionId, long sinceMicros) {
        return gather(g -> g.delivery(actionId, sinceMicros), Deliveries.Delivery::plus, Deliveries.Delivery.none());
    }

    public List<AgentCredentials> credentials() {
        List<AgentCredentials> all = new ArrayList<>();
        groups.forEach(group -> all.addAll(group.credentials()));
        return all;
    }

    public void reconnectAll(long jitterMillis) {
        gather(
                g -> {
                    g.reconnectAll(jitterMillis);
                    return true;
                },
                (a, b) -> a,
                true);
    }

    public List<AgentGroup> groups() {
        return groups;
    }

    /** Calls every group at once (worker calls block), then combines the answers. */
    public <T> T gather(Function<AgentGroup, T> call, BinaryOperator<T> combine, T identity) {
        List<Future<T>> answers = new ArrayList<>();
        for (AgentGroup group : groups) {
            Callable<T> task = () -> call.apply(group);
            answers.add(fanOut.submit(task));
        }
        T result = identity;
        for (Future<T> answer : answers) {
            try {
                result = combine.apply(result, answer.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("a generator group failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return result;
    }

    /**
     * Waits until {@code done} holds for the agents' status, printing progress every 5 s; returns the time taken,
     * or null when the agents made no progress (their status did not change) for {@code stall}.
     */
    public Duration await(String what, Predicate<Stats.GroupStatus> done, Duration stall) {
        long begin = System.nanoTime();
        long nextLog = begin;
        long lastProgress = begin;
        Stats.GroupStatus last = null;
        while (true) {
            Stats.GroupStatus status = status();
            long now = System.nanoTime();
            if (done.test(status)) {
                return Duration.ofNanos(now - begin);
            }
            if (!status.equals(last)) {
                last = status;
                lastProgress = now;
            } else if (now - lastProgress > stall.toNanos()) {
                log("gave up waiting for " + what + ", no progress for " + stall.toSeconds() + " s: " + status);
                return null;
            }
            if (now >= nextLog) {
                log("waiting for " + what + ": " + status);
                nextLog = now + 5_000_000_000L;
            }
            sleep(100);
        }
    }

    /** Waits until {@code expected} agents got the action; returns its delivery (possibly incomplete). */
    public Deliveries.Delivery awaitDelivery(String actionId, long sinceMicros, long expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Deliveries.Delivery delivery;
        while ((delivery = delivery(actionId, sinceMicros)).agents() < expected && System.nanoTime() < deadline) {
            sleep(50);
        }
        return delivery;
    }

    /** Seconds since the agents were started. */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public void saveAgentsIfAsked() {
        if (!options.has("save-agents")) {
            return;
        }
        Path file = Path.of(options.string("save-agents", null));
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (AgentCredentials agent : credentials()) {
                out.write(Report.JSON.writeValueAsString(agent));
                out.newLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        report.section("setup").put("agents_saved_to", file.toString());
    }

    private static List<AgentCredentials> readAgents(Path file, int count) {
        try (var lines = Files.lines(file)) {
            List<AgentCredentials> agents = lines.filter(line -> !line.isBlank())
                    .limit(count)
                    .map(line -> Report.JSON.readValue(line, AgentCredentials.class))
                    .toList();
            if (agents.size() < count) {
                throw new IllegalArgumentException(
                        file + " holds only " + agents.size() + " agents, " + count + " asked for");
            }
            return agents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void log(String line) {
        System.err.println("[load-generator " + Instant.now() + "] " + line);
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        groups.forEach(group -> {
            try {
                group.close();
            } catch (RuntimeException e) {
                log("closing a group failed: " + e);
            }
        });
        fanOut.close();
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
        if (elasticsearch != null) {
            elasticsearch.close();
        }
    }
}
