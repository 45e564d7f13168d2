package dev.fleetserver.load.admin;

import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The benchmark policy's content (what agents run), the same for every admin: the size of a real policy, and a
 * change per revision that either keeps the output's permissions or changes them.
 */
final class PolicyContent {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PolicyContent() {}

    /**
     * What agents run at revision 1, as Kibana renders it: one Elasticsearch output with its permissions, one log
     * input, and {@code extraInputs} metrics inputs of five streams each (about 1 KiB of JSON apiece).
     *
     * @param outputApiKey the output's own {@code id:key}, or null for per-agent keys the server creates
     */
    static ObjectNode initial(String outputHost, String outputApiKey, int extraInputs) {
        ObjectNode data = JSON.createObjectNode();
        ObjectNode output = data.putObject("outputs").putObject("default");
        output.put("type", "elasticsearch");
        output.putArray("hosts").add(outputHost);
        if (outputApiKey != null) {
            output.put("api_key", outputApiKey);
        }
        ObjectNode permissions = data.putObject("output_permissions").putObject("default");
        permissions.putObject("_elastic_agent_checks").putArray("cluster").add("monitor");
        ObjectNode logs =
                permissions.putObject("load-generator-logs").putArray("indices").addObject();
        logs.putArray("names").add("logs-generic-default");
        logs.putArray("privileges").add("auto_configure").add("create_doc");
        ObjectNode agent = data.putObject("agent");
        agent.putObject("monitoring")
                .put("enabled", false)
                .put("use_output", "default")
                .put("logs", false)
                .put("metrics", false);
        agent.putObject("features");
        agent.putObject("protection").put("enabled", false);
        ObjectNode input = data.putArray("inputs").addObject();
        input.put("id", "logfile-logs-load-generator");
        input.put("name", "logs-1");
        input.put("revision", 1);
        input.put("type", "logfile");
        input.put("use_output", "default");
        input.putObject("meta").putObject("package").put("name", "log").put("version", "2.4.4");
        input.putObject("data_stream").put("namespace", "default");
        ObjectNode stream = input.putArray("streams").addObject();
        stream.put("id", "logfile-log.logs-load-generator");
        stream.putObject("data_stream").put("dataset", "generic").put("type", "logs");
        stream.putArray("paths").add("/var/log/generated/*.log");
        for (int i = 0; i < extraInputs; i++) {
            addMetricsInput(data, i);
        }
        return data;
    }

    /** A system-metrics-like input with five streams, and the index permissions its data streams need. */
    private static void addMetricsInput(ObjectNode data, int number) {
        String packagePolicy = "metrics-" + number;
        ObjectNode input = ((ArrayNode) data.path("inputs")).addObject();
        input.put("id", "system/metrics-" + packagePolicy);
        input.put("name", "system-" + number);
        input.put("revision", 1);
        input.put("type", "system/metrics");
        input.put("use_output", "default");
        input.putObject("meta").putObject("package").put("name", "system").put("version", "1.68.1");
        input.putObject("data_stream").put("namespace", "default");
        input.put("package_policy_id", packagePolicy);
        ObjectNode role = ((ObjectNode) data.path("output_permissions").path("default")).putObject(packagePolicy);
        ArrayNode indices = role.putArray("indices");
        ArrayNode streams = input.putArray("streams");
        for (String metricset : List.of("cpu", "memory", "network", "diskio", "filesystem")) {
            ObjectNode stream = streams.addObject();
            stream.put("id", "system/metrics-system." + metricset + "-" + packagePolicy);
            stream.putObject("data_stream")
                    .put("dataset", "system." + metricset)
                    .put("type", "metrics");
            stream.putArray("metricsets").add(metricset);
            stream.put("period", "10s");
            stream.putArray("processors")
                    .addObject()
                    .putObject("add_fields")
                    .put("target", "host.load")
                    .putObject("fields")
                    .put("generator", "fleet-server-load-generator")
                    .put("input", number);
            stream.putArray("tags").add("load-generator").add(metricset);
            ObjectNode index = indices.addObject();
            index.putArray("names").add("metrics-system." + metricset + "-default");
            index.putArray("privileges").add("auto_configure").add("create_doc");
        }
    }

    /**
     * Changes the content for {@code revision}: a new log path; with {@code permissionChange} also a new data stream
     * to write, so that the output's role descriptors, and its permissions hash, change.
     */
    static void advance(ObjectNode data, long revision, boolean permissionChange) {
        ObjectNode input = (ObjectNode) data.path("inputs").path(0);
        ((ObjectNode) input.path("streams").path(0))
                .putArray("paths")
                .add("/var/log/generated/rev-" + revision + "/*.log");
        if (permissionChange) {
            ObjectNode role = ((ObjectNode) data.path("output_permissions").path("default"))
                    .putObject("load-generator-rev-" + revision);
            ObjectNode indices = role.putArray("indices").addObject();
            indices.putArray("names").add("logs-generated.rev" + revision + "-default");
            indices.putArray("privileges").add("auto_configure").add("create_doc");
        }
    }
}
