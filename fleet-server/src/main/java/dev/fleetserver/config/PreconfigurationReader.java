package dev.fleetserver.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads {@code fleet.agent_policies} and {@code fleet.enrollment_tokens} as JSON trees: their content is
 * free-form (policy inputs), which the typed binding cannot hold. String values get the same {@code ${VAR}}
 * expansion as the rest of the file.
 */
final class PreconfigurationReader {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String POLICIES = "fleet.agent_policies";
    static final String TOKENS = "fleet.enrollment_tokens";

    private final FleetConfigLoader.ConfigSource source;
    private final PlaceholderExpander expander;

    PreconfigurationReader(FleetConfigLoader.ConfigSource source, PlaceholderExpander expander) {
        this.source = source;
        this.expander = expander;
    }

    /** @param store where the fleet lives: a given token value can be honoured only by the embedded store */
    Preconfiguration read(FleetServerConfig.StoreKind store) {
        Map<String, Object> root = loadYaml(source.file());
        List<ObjectNode> policies = entries(root, POLICIES);
        List<ObjectNode> tokens = entries(root, TOKENS);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < policies.size(); i++) {
            String key = POLICIES + "[" + i + "]";
            String id = requiredText(policies.get(i), key, "id");
            requiredText(policies.get(i), key, "name");
            if (!ids.add(id)) {
                fail(key + ".id", "policy id \"" + id + "\" is declared twice");
            }
        }
        for (int i = 0; i < tokens.size(); i++) {
            requiredText(tokens.get(i), TOKENS + "[" + i + "]", "policy_id");
            if (tokens.get(i).has("token") && store == FleetServerConfig.StoreKind.ELASTICSEARCH) {
                fail(
                        TOKENS + "[" + i + "].token",
                        "can only be given with the embedded store; on Elasticsearch an enrollment token is an"
                                + " Elasticsearch API key, which the server creates (leave token out)");
            }
        }
        return new Preconfiguration(policies, tokens);
    }

    private List<ObjectNode> entries(Map<String, Object> root, String key) {
        Object value = root.get(key); // written flat: "fleet.agent_policies:"
        if (value == null && root.get("fleet") instanceof Map<?, ?> fleet) {
            value = fleet.get(key.substring("fleet.".length()));
        }
        if (value == null) {
            return List.of();
        }
        JsonNode tree = expand(JSON.valueToTree(value), key);
        if (!(tree instanceof ArrayNode list)) {
            fail(key, "must be a list");
            return List.of();
        }
        List<ObjectNode> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof ObjectNode entry)) {
                fail(key + "[" + i + "]", "must be an object");
                return List.of();
            }
            entries.add(entry);
        }
        return entries;
    }

    private JsonNode expand(JsonNode node, String key) {
        if (node.isString() && PlaceholderExpander.needsExpansion(node.asString())) {
            try {
                return JSON.getNodeFactory().stringNode(expander.expand(node.asString()));
            } catch (PlaceholderExpander.UnresolvedPlaceholderException e) {
                fail(key, e.getMessage());
            }
        }
        if (node instanceof ObjectNode object) {
            for (var field : new ArrayList<>(object.propertyNames())) {
                object.set(field, expand(object.get(field), key + "." + field));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, expand(array.get(i), key + "[" + i + "]"));
            }
        }
        return node;
    }

    private String requiredText(ObjectNode entry, String key, String field) {
        JsonNode value = entry.get(field);
        if (value == null || value.isNull() || (!value.isString() && !value.isNumber())) {
            // Where the entry was written: the field itself has no line.
            throw new ConfigException(key + "." + field, source.originOf(key), "missing: required");
        }
        String text = value.asString().strip();
        if (text.isEmpty()) {
            fail(key + "." + field, "must not be empty");
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> loadYaml(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            return loaded instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        } catch (IOException e) {
            return Map.of(); // a missing file is the empty configuration; read errors were reported already
        }
    }

    private void fail(String key, String problem) {
        throw new ConfigException(key, source.originOf(key), problem);
    }
}
