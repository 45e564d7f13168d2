package dev.fleetserver.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Per-agent rendering of a deliverable policy's outputs (agent-api §10.7.3 steps 1, 3 and 4): which outputs need
 * an API key, and injecting the keys into the outputs and into the OTel exporters that write to them.
 */
public final class PolicyOutputs {

    private static final String ELASTICSEARCH = "elasticsearch";
    private static final String REMOTE_ELASTICSEARCH = "remote_elasticsearch";
    private static final Set<String> KEYLESS_TYPES = Set.of("logstash", "kafka");
    private static final String SERVICE_TOKEN = "service_token";
    private static final String SECRET_PATHS = "secret_paths";

    private PolicyOutputs() {}

    /**
     * Names of the outputs that need an agent API key ({@code elasticsearch} and {@code remote_elasticsearch}), in
     * policy order.
     *
     * @throws PolicyRenderException when the policy has no outputs, an output has no string {@code type}, or a type
     *     is not one of elasticsearch, remote_elasticsearch, logstash, kafka
     */
    public static List<String> apiKeyOutputs(ObjectNode deliverable) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, JsonNode> output : outputs(deliverable).properties()) {
            String type = typeOf(output.getKey(), output.getValue());
            if (type.equals(ELASTICSEARCH) || type.equals(REMOTE_ELASTICSEARCH)) {
                names.add(output.getKey());
            } else if (!KEYLESS_TYPES.contains(type)) {
                throw new PolicyRenderException(
                        "unknown output type \"" + type + "\" for output \"" + output.getKey() + "\"");
            }
        }
        return names;
    }

    /**
     * Puts each {@code "<id>:<key>"} of {@code apiKeyByOutput} into {@code outputs.<name>.api_key} (plain, as agents
     * expect it there), turns every remote Elasticsearch output into a plain {@code elasticsearch} one without its
     * {@code service_token} (with or without a key: the agent talks to the remote cluster with the API key only),
     * and gives every OTel exporter the base64 form of its output's key.
     *
     * @throws PolicyRenderException for the conditions of {@link #apiKeyOutputs} and when an exporter's name is not
     *     {@code elasticsearch/<output>} for an Elasticsearch output that has a key
     * @throws IllegalArgumentException when a key is given for an output that takes none
     */
    public static void inject(ObjectNode deliverable, Map<String, String> apiKeyByOutput) {
        inject(deliverable, apiKeyByOutput, Set.of());
    }

    /**
     * As {@link #inject(ObjectNode, Map)}; the {@code elasticsearch} outputs named in {@code ownClusterOutputs} got
     * their keys from their own cluster with their {@code service_token}, which is removed like a remote output's.
     */
    public static void inject(
            ObjectNode deliverable, Map<String, String> apiKeyByOutput, Set<String> ownClusterOutputs) {
        List<String> keyed = apiKeyOutputs(deliverable);
        ObjectNode outputs = outputs(deliverable);
        for (Map.Entry<String, String> key : apiKeyByOutput.entrySet()) {
            if (!keyed.contains(key.getKey())) {
                throw new IllegalArgumentException("output \"" + key.getKey() + "\" does not take an API key");
            }
            ((ObjectNode) outputs.get(key.getKey())).put("api_key", key.getValue());
        }
        for (String name : keyed) {
            ObjectNode output = (ObjectNode) outputs.get(name);
            if (output.path("type").stringValue().equals(REMOTE_ELASTICSEARCH) || ownClusterOutputs.contains(name)) {
                output.put("type", ELASTICSEARCH);
                output.remove(SERVICE_TOKEN);
                forgetSecretPath(deliverable, "outputs." + name + "." + SERVICE_TOKEN);
            }
        }
        injectExporterKeys(deliverable, outputs);
    }

    private static ObjectNode outputs(ObjectNode deliverable) {
        if (deliverable.get("outputs") instanceof ObjectNode outputs && !outputs.isEmpty()) {
            return outputs;
        }
        throw new PolicyRenderException("output section not found");
    }

    private static String typeOf(String name, JsonNode output) {
        JsonNode type = output.path("type");
        if (!type.isString()) {
            throw new PolicyRenderException("output \"" + name + "\" has no type");
        }
        return type.stringValue();
    }

    /** The token is gone from the output, so a path pointing at it (or below it) would mislead the agent. */
    private static void forgetSecretPath(ObjectNode deliverable, String path) {
        if (!(deliverable.get(SECRET_PATHS) instanceof ArrayNode paths)) {
            return;
        }
        for (int i = paths.size() - 1; i >= 0; i--) {
            String recorded = paths.get(i).asString();
            if (recorded.equals(path) || recorded.startsWith(path + ".")) {
                paths.remove(i);
            }
        }
        if (paths.isEmpty()) {
            deliverable.remove(SECRET_PATHS);
        }
    }

    private static void injectExporterKeys(ObjectNode deliverable, ObjectNode outputs) {
        JsonNode exporters = deliverable.get("exporters");
        if (exporters == null || exporters.isNull()) {
            return;
        }
        if (!(exporters instanceof ObjectNode exporterConfigs)) {
            throw new PolicyRenderException("exporters section is not an object");
        }
        for (String exporterId : new ArrayList<>(exporterConfigs.propertyNames())) {
            String apiKey = exporterApiKey(exporterId, outputs);
            JsonNode config = exporterConfigs.get(exporterId);
            if (config.isNull()) {
                config = exporterConfigs.putObject(exporterId);
            }
            if (!(config instanceof ObjectNode settings)) {
                throw new PolicyRenderException("exporter \"" + exporterId + "\" is not an object");
            }
            settings.put("api_key", Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** The plain key of the output an exporter named {@code <exporterType>/<outputName>} writes to. */
    private static String exporterApiKey(String exporterId, ObjectNode outputs) {
        int slash = exporterId.indexOf('/');
        if (slash < 0) {
            throw new PolicyRenderException(
                    "exporter \"" + exporterId + "\" is not named <exporter type>/<output name>");
        }
        String exporterType = exporterId.substring(0, slash);
        String outputName = exporterId.substring(slash + 1);
        JsonNode output = outputs.get(outputName);
        if (output == null) {
            throw new PolicyRenderException(
                    "exporter \"" + exporterId + "\" refers to unknown output \"" + outputName + "\"");
        }
        if (!exporterType.equals(ELASTICSEARCH)) {
            throw new PolicyRenderException("exporter \"" + exporterId + "\" has unsupported type \"" + exporterType
                    + "\"; only elasticsearch exporters are supported");
        }
        // Remote outputs have been rewritten to "elasticsearch" by now, so this covers both kinds.
        if (!output.path("type").asString("").equals(ELASTICSEARCH)) {
            throw new PolicyRenderException("exporter \"" + exporterId + "\" refers to output \"" + outputName
                    + "\" which is not elasticsearch");
        }
        JsonNode apiKey = output.path("api_key");
        if (!apiKey.isString() || apiKey.stringValue().isEmpty()) {
            throw new PolicyRenderException(
                    "exporter \"" + exporterId + "\" refers to output \"" + outputName + "\" which has no API key");
        }
        return apiKey.stringValue();
    }
}
