package dev.fleetserver.load;

import dev.fleetserver.load.agent.Stats;
import dev.fleetserver.load.server.ServerProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A run's results as one JSON tree (written with {@code --report-json}) and as indented text on standard output.
 * Latencies are in milliseconds with three decimals, memory in MiB and KiB per agent, rates per second.
 */
public final class Report {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final ObjectNode root = JSON.createObjectNode();

    public ObjectNode root() {
        return root;
    }

    public ObjectNode section(String name) {
        return root.has(name) ? (ObjectNode) root.get(name) : root.putObject(name);
    }

    /** Count and percentiles of a latency histogram (microseconds in, milliseconds out). */
    public static ObjectNode latency(Histogram histogram) {
        ObjectNode node = JSON.createObjectNode();
        node.put("count", histogram.getTotalCount());
        if (histogram.getTotalCount() > 0) {
            for (double percentile : new double[] {50, 90, 99, 99.9}) {
                String name = "p" + (percentile == Math.rint(percentile) ? String.valueOf((int) percentile) : "99.9");
                node.put(name + "_ms", millis(histogram.getValueAtPercentile(percentile)));
            }
            node.put("max_ms", millis(histogram.getMaxValue()));
        }
        return node;
    }

    private static double millis(long micros) {
        return Math.round(micros) / 1000.0;
    }

    /**
     * Requests by route and outcome, with errors (anything but 2xx and 429, transport failures and answers the
     * agent would reject) and rate-limit rejections (429) totalled separately.
     */
    public static ObjectNode outcomes(Stats.Snapshot stats, double seconds) {
        ObjectNode node = JSON.createObjectNode();
        ObjectNode byOutcome = node.putObject("by_outcome");
        long errors = 0;
        long rejected = 0;
        for (Map.Entry<String, Long> entry : stats.outcomes().entrySet()) {
            byOutcome.put(entry.getKey(), entry.getValue());
            String outcome = entry.getKey().substring(entry.getKey().indexOf(' ') + 1);
            if (outcome.equals("429")) {
                rejected += entry.getValue();
            } else if (!outcome.matches("2\\d\\d")) {
                errors += entry.getValue();
            }
        }
        node.put("errors", errors);
        node.put("rate_limited_429", rejected);
        ObjectNode latency = node.putObject("latency");
        ObjectNode throughput = node.putObject("requests_per_second");
        for (Stats.Latency kind : Stats.Latency.values()) {
            Histogram histogram = stats.latency(kind);
            String name = kind.name().toLowerCase(Locale.ROOT);
            latency.set(name, latency(histogram));
            throughput.put(name, seconds > 0 ? Math.round(histogram.getTotalCount() / seconds * 10) / 10.0 : 0);
        }
        node.put("actions_received", stats.actions());
        node.put("ack_events_sent", stats.acks());
        return node;
    }

    public static ObjectNode sample(ServerProbe.Sample sample) {
        ObjectNode node = JSON.createObjectNode();
        node.put("rss_mib", mib(sample.rssBytes()));
        node.put("rss_anon_mib", mib(sample.rssAnonBytes()));
        node.put("os_threads", sample.threads());
        node.put("cpu_seconds", sample.cpuSeconds());
        node.put("heap_used_mib", mib(sample.heapUsedBytes()));
        node.put("checkins_active", sample.checkinsActive());
        node.put("tcp_active", sample.tcpActive());
        return node;
    }

    static double mib(long bytes) {
        return bytes < 0 ? -1 : Math.round(bytes / 1048576.0 * 10) / 10.0;
    }

    /** Total errors of the run ({@code outcomes.errors}) plus scenario failures ({@code failures}). */
    public long errors() {
        return root.path("outcomes").path("errors").asLong(0)
                + root.path("failures").size();
    }

    /** A requirement of the scenario that was not met (e.g. not every agent got the policy). */
    public void fail(String what) {
        (root.has("failures")
                        ? (tools.jackson.databind.node.ArrayNode) root.get("failures")
                        : root.putArray("failures"))
                .add(what);
    }

    public String text() {
        StringBuilder out = new StringBuilder();
        render(root, "", out);
        return out.toString();
    }

    private static void render(JsonNode node, String indent, StringBuilder out) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            if (value.isObject()) {
                out.append(indent).append(field.getKey()).append(":\n");
                render(value, indent + "  ", out);
            } else {
                out.append(indent)
                        .append(field.getKey())
                        .append(": ")
                        .append(value)
                        .append('\n');
            }
        }
    }

    void writeJson(Path file) {
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
