package dev.fleetserver.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line: {@code <scenario> [--name value | --flag]...}. Repeatable options keep every value. Unknown
 * names are an error, so a typo never silently runs a different benchmark.
 */
public final class Options {

    /** Every option with a one-line description, for {@code --help} and validation. */
    static final Map<String, String> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("agents", "number of simulated agents (default: the scenario's)");
        KNOWN.put("duration", "how long agents are held after set-up, e.g. 60s, 5m (default: the scenario's)");
        KNOWN.put("fleet", "agent listener host:port of a running server (default 127.0.0.1:8220)");
        KNOWN.put("monitoring", "its monitoring listener, e.g. http://127.0.0.1:5066 (heap, open checkins)");
        KNOWN.put("server-pid", "its process id, for RSS and full GCs (default: found by the listener's port)");
        KNOWN.put("start-server", "flag: start the server jar with a generated fleet-server.yml");
        KNOWN.put("server-jar", "the jar to start (default fleet-server/target/fleet-server.jar)");
        KNOWN.put("server-jvm", "JVM options of the started server, space-separated (default -Xmx2g)");
        KNOWN.put("server-set", "repeatable key=value passed as -E to the started server, e.g. a raised limit");
        KNOWN.put("store", "elasticsearch (default) or embedded, for the started server");
        KNOWN.put("start-elasticsearch", "flag: start a local single-node Elasticsearch (as bin/run-local)");
        KNOWN.put("elasticsearch", "URL of a running Elasticsearch (the admin side writes Fleet's documents there)");
        KNOWN.put("elasticsearch-user", "its superuser as user:password (or env ELASTICSEARCH_SUPERUSER)");
        KNOWN.put(
                "service-token",
                "fleet-server service token for a started server (or env ELASTICSEARCH_SERVICE_TOKEN)");
        KNOWN.put(
                "admin",
                "who plays Kibana: management (the server's management API; default on the embedded store) or"
                        + " elasticsearch (Fleet's documents; default otherwise)");
        KNOWN.put("management", "management API of a running server (default http://127.0.0.1:8222)");
        KNOWN.put("operator-key", "its operator key as id:key, privilege all (or env FLEET_OPERATOR_KEY)");
        KNOWN.put("work-dir", "where logs, configs and data of started processes go (default load-run)");
        KNOWN.put("policy", "the agent policy enrolled into (default load-policy)");
        KNOWN.put("policy-inputs", "metrics inputs added to a new policy, ~1 KiB each (default 10)");
        KNOWN.put("agents-file", "enrolled agents to reuse (JSON lines of id and api key) instead of enrolling");
        KNOWN.put("save-agents", "write the enrolled agents to this file for later runs");
        KNOWN.put("start-rate", "agents started (enrolling or first checkin) per second, all groups (default 80)");
        KNOWN.put(
                "enroll-concurrency",
                "enrollments in flight at most per process (default 32, under the server's cap of 200; 0 = no cap)");
        KNOWN.put("enrollment-id", "flag: agents send an enrollment_id");
        KNOWN.put("retry-fraction", "share of enrollments sent twice with the same enrollment_id (default 0)");
        KNOWN.put("processes", "generator processes: auto (default) or a number; 1 runs agents in this process");
        KNOWN.put("agents-per-process", "agents per generator process when automatic (default 8000)");
        KNOWN.put("worker-jvm", "JVM options of worker processes (default -Xmx1g)");
        KNOWN.put("sources", "number of loopback source addresses 127.0.0.1.. (default: 1 per 10,000 agents, >= 2)");
        KNOWN.put("backoff-scale", "multiplier of the agent's backoff windows (default 1 = real agent)");
        KNOWN.put("agent-version", "the agents' version (default 9.5.0)");
        KNOWN.put("permission-change", "flag (policy-rollout): the new revision changes output permissions");
        KNOWN.put("ack-rate", "acks per second to offer (acks scenario, default 10000)");
        KNOWN.put("ack-in-flight", "acks outstanding at most per process (acks scenario, default 2000)");
        KNOWN.put("reconnect-jitter", "reconnects spread over this long (reconnect scenario, default 0s)");
        KNOWN.put("action-interval", "a targeted action every this long while polls are held (held, default 5s)");
        KNOWN.put("connections", "keep-alive connections of the ceiling scenario (default 64)");
        KNOWN.put("report-json", "also write the report as JSON to this file");
        KNOWN.put("help", "flag: print this help");
    }

    private static final Set<String> FLAGS =
            Set.of("start-server", "start-elasticsearch", "enrollment-id", "permission-change", "help");

    private final String scenario;
    private final Map<String, List<String>> values;

    private Options(String scenario, Map<String, List<String>> values) {
        this.scenario = scenario;
        this.values = values;
    }

    public static Options parse(String... args) {
        String scenario = null;
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                if (scenario != null) {
                    throw new IllegalArgumentException("unexpected argument: " + arg);
                }
                scenario = arg;
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (!KNOWN.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (try --help)");
            }
            if (value == null) {
                if (FLAGS.contains(name)) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
            }
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return new Options(scenario, values);
    }

    /** The same options with defaults for what was not given (a scenario's own defaults, or a test's). */
    public Options withDefaults(Map<String, String> defaults) {
        Map<String, List<String>> merged = new LinkedHashMap<>();
        defaults.forEach((name, value) -> merged.put(name, List.of(value)));
        merged.putAll(values);
        return new Options(scenario, merged);
    }

    public String scenario() {
        return scenario;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean flag(String name) {
        return values.containsKey(name) && !values.get(name).getLast().equals("false");
    }

    public String string(String name, String fallback) {
        List<String> given = values.get(name);
        return given == null ? fallback : given.getLast();
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public int integer(String name, int fallback) {
        return has(name) ? Integer.parseInt(string(name, null)) : fallback;
    }

    public double number(String name, double fallback) {
        return has(name) ? Double.parseDouble(string(name, null)) : fallback;
    }

    /** A duration as {@code 250ms}, {@code 30s}, {@code 5m} or {@code 1h}. */
    public Duration duration(String name, Duration fallback) {
        if (!has(name)) {
            return fallback;
        }
        String text = string(name, null).trim();
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}};
        for (String[] unit : units) {
            if (text.endsWith(unit[0]) && !(unit[0].equals("s") && text.endsWith("ms"))) {
                double amount = Double.parseDouble(text.substring(0, text.length() - unit[0].length()));
                return Duration.ofMillis((long) (amount * Long.parseLong(unit[1])));
            }
        }
        throw new IllegalArgumentException("--" + name + ": not a duration: " + text);
    }

    static String help() {
        StringBuilder text = new StringBuilder("""
                usage: bin/load-generator <scenario> [options]

                scenarios:
                """);
        Scenarios.ALL.forEach(
                (name, scenario) -> text.append(String.format("  %-16s %s%n", name, scenario.description())));
        text.append("\noptions:\n");
        KNOWN.forEach((name, description) -> text.append(String.format("  --%-22s %s%n", name, description)));
        return text.toString();
    }
}
