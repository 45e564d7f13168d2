package dev.fleetserver.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Secret references in policies and actions (algorithms §9.1, §9.3), replaced by the values the caller read from
 * the secret store.
 *
 * <p>Two notations exist. <em>Inline</em>: any string may contain {@code $co.elastic.secret{<id>}} once or more.
 * <em>Path</em>: an object may hold {@code secrets: {ssl: {key: {id: <id>}}}}; the value then belongs at
 * {@code ssl.key} of that object. Ids without a value are left as they are, so a missing secret stays visible as
 * its reference instead of silently becoming an empty string.
 */
public final class PolicySecrets {

    private static final Pattern INLINE = Pattern.compile("\\$co\\.elastic\\.secret\\{([^}]*)}");
    private static final String SECRETS = "secrets";
    private static final String REFERENCES = "secret_references";
    private static final List<String> OTEL_SECTIONS =
            List.of("receivers", "exporters", "processors", "extensions", "connectors");

    private PolicySecrets() {}

    /** The ids listed in {@code secret_references[].id}, in document order, without duplicates. */
    public static Set<String> referencedIds(ObjectNode policyData) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode reference : policyData.path(REFERENCES)) {
            JsonNode id = reference.path("id");
            if (id.isString()) {
                ids.add(id.stringValue());
            }
        }
        return Collections.unmodifiableSet(ids);
    }

    /**
     * Replaces secret references in {@code policyData} in place and drops {@code secret_references}.
     *
     * <p>Substitution covers each output, {@code inputs} (to any depth, e.g. streams), {@code agent.download},
     * {@code fleet} and every component of the OTel sections; other parts of the policy are never touched. Inline
     * references are replaced before path references so that a secret value is never itself scanned for
     * references.
     *
     * @return the sorted, distinct dotted paths of the replaced values, relative to the policy, with array indexes
     *     as numbers ({@code inputs.0.streams.1.password}, {@code outputs.default.ssl.key}); these become the
     *     policy's {@code secret_paths}
     */
    public static List<String> substitute(ObjectNode policyData, Map<String, String> secretValues) {
        Set<String> paths = new TreeSet<>(GoStringOrder.INSTANCE);
        if (policyData.get("outputs") instanceof ObjectNode outputs) {
            eachComponent(outputs, "outputs", (node, prefix) -> resolve(node, prefix, secretValues, paths));
        }
        if (policyData.get("inputs") instanceof ArrayNode inputs) {
            resolve(inputs, "inputs", secretValues, paths);
        }
        if (policyData.path("agent").get("download") instanceof ObjectNode download) {
            resolve(download, "agent.download", secretValues, paths);
        }
        if (policyData.get("fleet") instanceof ObjectNode fleet) {
            resolve(fleet, "fleet", secretValues, paths);
        }
        for (String section : OTEL_SECTIONS) {
            if (policyData.get(section) instanceof ObjectNode components) {
                eachComponent(components, section, (node, prefix) -> resolve(node, prefix, secretValues, paths));
            }
        }
        policyData.remove(REFERENCES);
        return List.copyOf(paths);
    }

    /**
     * Replaces inline references anywhere in the action's {@code data} (actions know no path form) and drops the
     * action's {@code secret_references}.
     */
    public static void substituteAction(ObjectNode actionDocument, Map<String, String> secretValues) {
        JsonNode data = actionDocument.get("data");
        if (data != null && data.isString()) {
            String replaced = replaceInline(data.stringValue(), secretValues);
            if (replaced != null) {
                actionDocument.put("data", replaced);
            }
        } else if (data != null && data.isContainer()) {
            replaceInlineIn(data, "data", secretValues, path -> {});
        }
        actionDocument.remove(REFERENCES);
    }

    /** Each member of a section is a component of its own: a {@code secrets} member of the section is not one. */
    private static void eachComponent(ObjectNode section, String sectionName, BiConsumer<JsonNode, String> visitor) {
        for (String name : new ArrayList<>(section.propertyNames())) {
            JsonNode component = section.get(name);
            if (component.isContainer()) {
                visitor.accept(component, sectionName + "." + name);
            }
        }
    }

    private static void resolve(JsonNode node, String prefix, Map<String, String> values, Set<String> paths) {
        replaceInlineIn(node, prefix, values, paths::add);
        replacePathFormIn(node, prefix, values, paths);
    }

    private static void replaceInlineIn(
            JsonNode container, String prefix, Map<String, String> values, Consumer<String> replacedAt) {
        if (container instanceof ObjectNode object) {
            for (String name : new ArrayList<>(object.propertyNames())) {
                JsonNode child = object.get(name);
                String path = prefix + "." + name;
                if (child.isString()) {
                    String replaced = replaceInline(child.stringValue(), values);
                    if (replaced != null) {
                        object.put(name, replaced);
                        replacedAt.accept(path);
                    }
                } else if (child.isContainer()) {
                    replaceInlineIn(child, path, values, replacedAt);
                }
            }
        } else if (container instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode child = array.get(i);
                String path = prefix + "." + i;
                if (child.isString()) {
                    String replaced = replaceInline(child.stringValue(), values);
                    if (replaced != null) {
                        array.set(i, JsonNodeFactory.instance.stringNode(replaced));
                        replacedAt.accept(path);
                    }
                } else if (child.isContainer()) {
                    replaceInlineIn(child, path, values, replacedAt);
                }
            }
        }
    }

    /** {@code text} with every known inline reference replaced, or null when nothing was replaced. */
    private static @Nullable String replaceInline(String text, Map<String, String> values) {
        Matcher m = INLINE.matcher(text);
        StringBuilder out = null;
        int copiedUpTo = 0;
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copiedUpTo, m.start()).append(value);
            copiedUpTo = m.end();
        }
        return out == null ? null : out.append(text, copiedUpTo, text.length()).toString();
    }

    private static void replacePathFormIn(
            JsonNode container, String prefix, Map<String, String> values, Set<String> paths) {
        if (container instanceof ObjectNode object) {
            if (object.get(SECRETS) instanceof ObjectNode secrets) {
                applySecretsMember(object, secrets, prefix, values, paths);
            }
            for (String name : new ArrayList<>(object.propertyNames())) {
                JsonNode child = object.get(name);
                // What is left under "secrets" are unresolved references, not configuration to descend into.
                if (!name.equals(SECRETS) && child.isContainer()) {
                    replacePathFormIn(child, prefix + "." + name, values, paths);
                }
            }
        } else if (container instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isContainer()) {
                    replacePathFormIn(array.get(i), prefix + "." + i, values, paths);
                }
            }
        }
    }

    private record SecretLeaf(List<String> path, String id) {}

    /**
     * Writes each resolved leaf of {@code secrets} into {@code owner} and removes it from {@code secrets}; the
     * {@code secrets} member is dropped once nothing unresolved remains in it.
     */
    private static void applySecretsMember(
            ObjectNode owner, ObjectNode secrets, String prefix, Map<String, String> values, Set<String> paths) {
        List<SecretLeaf> leaves = new ArrayList<>();
        collectLeaves(secrets, new ArrayList<>(), leaves);
        // Detached while writing, so that a leaf addressing "secrets" itself cannot write into the tree being read.
        owner.remove(SECRETS);
        for (SecretLeaf leaf : leaves) {
            String value = values.get(leaf.id());
            if (value != null) {
                writeAt(owner, leaf.path(), value);
                removeLeaf(secrets, leaf.path());
                paths.add(prefix + "." + String.join(".", leaf.path()));
            }
        }
        if (!secrets.isEmpty()) {
            owner.set(SECRETS, secrets);
        }
    }

    /** A leaf is an object with a non-empty string {@code id}; any other object is a step of the path. */
    private static void collectLeaves(ObjectNode node, List<String> path, List<SecretLeaf> leaves) {
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            if (!(member.getValue() instanceof ObjectNode child)) {
                continue;
            }
            List<String> childPath = new ArrayList<>(path);
            childPath.add(member.getKey());
            JsonNode id = child.path("id");
            if (id.isString() && !id.stringValue().isEmpty()) {
                leaves.add(new SecretLeaf(List.copyOf(childPath), id.stringValue()));
            } else {
                collectLeaves(child, childPath, leaves);
            }
        }
    }

    private static void writeAt(ObjectNode owner, List<String> path, String value) {
        ObjectNode target = owner;
        for (String step : path.subList(0, path.size() - 1)) {
            // A non-object in the way is replaced: the secret must land where the agent looks for it.
            target = target.get(step) instanceof ObjectNode next ? next : target.putObject(step);
        }
        target.put(path.getLast(), value);
    }

    /** Removes the leaf at {@code path} and every object on the way that it leaves empty. */
    private static void removeLeaf(ObjectNode secrets, List<String> path) {
        if (path.size() == 1) {
            secrets.remove(path.getFirst());
            return;
        }
        if (secrets.get(path.getFirst()) instanceof ObjectNode next) {
            removeLeaf(next, path.subList(1, path.size()));
            if (next.isEmpty()) {
                secrets.remove(path.getFirst());
            }
        }
    }
}
