package dev.fleetserver.management.policies;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the policy agents receive ({@code data} of a revision, what {@code /full} answers) from the policy's
 * attributes and the content the operator gave, the way Kibana's full agent policy is built: the operator's
 * {@code outputs}, {@code inputs}, {@code fleet}, ... as given; the monitoring block, features and advanced
 * settings derived from the attributes; output permissions computed from the inputs' data streams unless given;
 * {@code overrides} merged last.
 */
final class PolicyData {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String DEFAULT_SOURCE_URI = "https://artifacts.elastic.co/downloads/";

    /** {@code advanced_settings} keys Kibana writes into the agent block, and where. */
    private static final Map<String, String> ADVANCED_SETTINGS = Map.ofEntries(
            Map.entry("agent_logging_level", "logging.level"),
            Map.entry("agent_logging_to_files", "logging.to_files"),
            Map.entry("agent_logging_files_rotateeverybytes", "logging.files.rotateeverybytes"),
            Map.entry("agent_logging_files_keepfiles", "logging.files.keepfiles"),
            Map.entry("agent_logging_files_interval", "logging.files.interval"),
            Map.entry("agent_limits_go_max_procs", "limits.go_max_procs"),
            Map.entry("agent_download_timeout", "download.timeout"),
            Map.entry("agent_download_target_directory", "download.target_directory"),
            Map.entry("agent_monitoring_runtime_experimental", "monitoring._runtime_experimental"));

    private PolicyData() {}

    /**
     * @param defaultOutputs the outputs when the operator gave none (the server's Elasticsearch, or none)
     */
    static ObjectNode build(
            String id, long revision, ObjectNode attributes, ObjectNode content, ObjectNode defaultOutputs) {
        ObjectNode data = NODES.objectNode();
        data.put("id", id);
        data.put("revision", revision);
        ObjectNode outputs =
                content.path("outputs") instanceof ObjectNode given ? given.deepCopy() : defaultOutputs.deepCopy();
        data.set("outputs", outputs);
        String outputName = outputs.has("default")
                ? "default"
                : outputs.propertyNames().stream().findFirst().orElse(null);
        ArrayNode inputs = content.path("inputs") instanceof ArrayNode given ? given.deepCopy() : NODES.arrayNode();
        data.set(
                "output_permissions",
                content.path("output_permissions") instanceof ObjectNode given
                        ? given.deepCopy()
                        : permissions(outputs, outputName, inputs, attributes));
        if (content.path("fleet") instanceof ObjectNode fleet) {
            data.set("fleet", fleet.deepCopy());
        }
        data.set("inputs", inputs);
        if (content.path("secret_references") instanceof ArrayNode references) {
            data.set("secret_references", references.deepCopy());
        }
        data.set("agent", agent(content, attributes, outputName));
        for (String key :
                new String[] {"receivers", "processors", "exporters", "extensions", "connectors", "service"}) {
            if (content.path(key) instanceof ObjectNode otel) {
                data.set(key, otel.deepCopy());
            }
        }
        if (attributes.path("space_ids").isArray()
                && !attributes.path("space_ids").isEmpty()) {
            data.set("namespaces", attributes.get("space_ids").deepCopy());
        }
        if (attributes.path("overrides") instanceof ObjectNode overrides) {
            merge(data, overrides);
        }
        return data;
    }

    private static ObjectNode agent(ObjectNode content, ObjectNode attributes, @Nullable String outputName) {
        ObjectNode agent = content.path("agent") instanceof ObjectNode given ? given.deepCopy() : NODES.objectNode();
        Set<String> enabled = new LinkedHashSet<>();
        attributes.path("monitoring_enabled").forEach(kind -> enabled.add(kind.asString()));
        ObjectNode monitoring = agent.withObjectProperty("monitoring");
        monitoring.put(
                "enabled",
                !enabled.isEmpty()
                        || attributes.path("monitoring_http").path("enabled").asBoolean(false)
                        || attributes.path("keep_monitoring_alive").asBoolean(false));
        monitoring.put("logs", enabled.contains("logs"));
        monitoring.put("metrics", enabled.contains("metrics"));
        monitoring.put("traces", enabled.contains("traces"));
        if (!enabled.isEmpty()) {
            monitoring.put("namespace", attributes.path("namespace").asString("default"));
            if (outputName != null) {
                monitoring.put("use_output", outputName);
            }
        }
        if (attributes.path("monitoring_http") instanceof ObjectNode http) {
            ObjectNode target = monitoring.withObjectProperty("http");
            target.put("enabled", http.path("enabled").asBoolean(false));
            target.put("host", http.path("host").asString("localhost"));
            target.put("port", http.path("port").asInt(6791));
            if (http.path("buffer").isObject()) {
                target.set("buffer", http.get("buffer").deepCopy());
            }
        }
        if (attributes.has("monitoring_pprof_enabled")) {
            monitoring
                    .withObjectProperty("pprof")
                    .put("enabled", attributes.path("monitoring_pprof_enabled").asBoolean());
        }
        if (attributes.path("monitoring_diagnostics") instanceof ObjectNode diagnostics) {
            monitoring.set("diagnostics", diagnostics.deepCopy());
        }
        ObjectNode download = agent.withObjectProperty("download");
        if (!download.has("sourceURI")) {
            download.put("sourceURI", DEFAULT_SOURCE_URI);
        }
        ObjectNode features = agent.withObjectProperty("features");
        attributes
                .path("agent_features")
                .forEach(feature -> features.putObject(feature.path("name").asString())
                        .put("enabled", feature.path("enabled").asBoolean()));
        if (!agent.has("protection")) {
            ObjectNode protection = agent.putObject("protection");
            protection.put("enabled", false);
            protection.put("uninstall_token_hash", "");
            protection.put("signing_key", "");
        }
        if (attributes.path("advanced_settings") instanceof ObjectNode settings) {
            for (Map.Entry<String, JsonNode> setting : settings.properties()) {
                String path = ADVANCED_SETTINGS.get(setting.getKey());
                if (path != null && !setting.getValue().isNull()) {
                    put(agent, path, setting.getValue().deepCopy());
                }
            }
        }
        return agent;
    }

    /**
     * Kibana's output permissions: on every Elasticsearch output the agent's own checks, on the monitoring output
     * its monitoring data streams, and for each input the data streams its streams write to ({@code
     * <type>-<dataset>-<namespace>}), under the input's {@code package_policy_id} (or its id).
     */
    private static ObjectNode permissions(
            ObjectNode outputs, @Nullable String monitoringOutput, ArrayNode inputs, ObjectNode attributes) {
        ObjectNode permissions = NODES.objectNode();
        String policyNamespace = attributes.path("namespace").asString("default");
        for (Map.Entry<String, JsonNode> output : outputs.properties()) {
            String type = output.getValue().path("type").asString("elasticsearch");
            if (!type.equals("elasticsearch") && !type.equals("remote_elasticsearch")) {
                continue;
            }
            ObjectNode roles = permissions.putObject(output.getKey());
            roles.putObject("_elastic_agent_checks").putArray("cluster").add("monitor");
            if (output.getKey().equals(monitoringOutput)) {
                ArrayNode names = NODES.arrayNode();
                attributes.path("monitoring_enabled").forEach(kind -> {
                    String prefix = kind.asString();
                    names.add(prefix + "-elastic_agent-" + policyNamespace);
                    names.add(prefix + "-elastic_agent.*-" + policyNamespace);
                });
                if (!names.isEmpty()) {
                    indices(roles.putObject("_elastic_agent_monitoring"), names);
                }
            }
            for (JsonNode input : inputs) {
                String target = input.path("use_output").asString(monitoringOutput == null ? "" : monitoringOutput);
                if (!target.equals(output.getKey())) {
                    continue;
                }
                String namespace = input.path("data_stream").path("namespace").asString(policyNamespace);
                ArrayNode names = NODES.arrayNode();
                for (JsonNode stream : input.path("streams")) {
                    JsonNode dataStream = stream.path("data_stream");
                    if (dataStream.path("dataset").isString()) {
                        names.add(dataStream.path("type").asString("logs") + "-"
                                + dataStream.path("dataset").asString() + "-" + namespace);
                    }
                }
                if (!names.isEmpty()) {
                    String role = input.path("package_policy_id")
                            .asString(input.path("id").asString());
                    ObjectNode entry = roles.withObjectProperty(role);
                    if (entry.path("indices").isArray()) {
                        names.forEach(((ArrayNode) entry.path("indices").get(0).path("names"))::add);
                    } else {
                        indices(entry, names);
                    }
                }
            }
        }
        return permissions;
    }

    private static void indices(ObjectNode role, ArrayNode names) {
        ObjectNode entry = role.putArray("indices").addObject();
        entry.set("names", names);
        entry.putArray("privileges").add("auto_configure").add("create_doc");
    }

    private static void put(ObjectNode root, String dottedPath, JsonNode value) {
        String[] parts = dottedPath.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.withObjectProperty(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }

    /** Deep merge: objects merge key by key, anything else replaces. */
    static void merge(ObjectNode target, ObjectNode source) {
        for (Map.Entry<String, JsonNode> entry : source.properties()) {
            JsonNode existing = target.get(entry.getKey());
            if (existing instanceof ObjectNode existingObject && entry.getValue() instanceof ObjectNode incoming) {
                merge(existingObject, incoming);
            } else {
                target.set(entry.getKey(), entry.getValue().deepCopy());
            }
        }
    }
}
