package dev.fleetserver.management.policies;

import static dev.fleetserver.management.Schema.any;
import static dev.fleetserver.management.Schema.arrayOf;
import static dev.fleetserver.management.Schema.bool;
import static dev.fleetserver.management.Schema.literal;
import static dev.fleetserver.management.Schema.literalNull;
import static dev.fleetserver.management.Schema.maybe;
import static dev.fleetserver.management.Schema.number;
import static dev.fleetserver.management.Schema.object;
import static dev.fleetserver.management.Schema.oneOf;
import static dev.fleetserver.management.Schema.recordOf;
import static dev.fleetserver.management.Schema.string;
import static dev.fleetserver.management.Schema.withDefault;

import dev.fleetserver.management.Schema;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The request schemas of the agent-policy endpoints: Kibana's {@code NewAgentPolicySchema} fields with their
 * rules and messages, plus (ours, since there are no integrations to build it from) the content agents run,
 * under the names it has in the policy agents receive.
 */
final class AgentPolicySchemas {

    /** Two weeks, Kibana's default {@code inactivity_timeout}. */
    static final long DEFAULT_INACTIVITY_TIMEOUT = 1_209_600;

    /** The keys of a create or update body that are content agents run, not attributes of the policy. */
    static final List<String> CONTENT_KEYS = List.of(
            "outputs",
            "output_permissions",
            "fleet",
            "inputs",
            "secret_references",
            "agent",
            "receivers",
            "processors",
            "exporters",
            "extensions",
            "connectors",
            "service");

    private static final Pattern INVALID_NAMESPACE_CHARACTERS = Pattern.compile("[*\\\\/?\"<>|\\s,#:-]+");

    private static final Schema OPTIONAL_OBJECT = maybe(object().allowUnknowns());

    private static final Schema.ObjectSchema ATTRIBUTES = object().field("id", maybe(string()))
            .field("space_ids", maybe(arrayOf(string())))
            .field("name", string().minLength(1).rule(AgentPolicySchemas::nonEmpty))
            .field("namespace", string().minLength(1).rule(AgentPolicySchemas::namespaceProblem))
            .field("description", maybe(string()))
            .field("is_managed", maybe(bool()))
            .field("has_fleet_server", maybe(bool()))
            .field("is_default", maybe(bool()))
            .field("is_default_fleet_server", maybe(bool()))
            .field("unenroll_timeout", maybe(number().min(0).integer()))
            .field(
                    "inactivity_timeout",
                    withDefault(
                            number().min(0).integer(), JsonNodeFactory.instance.numberNode(DEFAULT_INACTIVITY_TIMEOUT)))
            .field("monitoring_enabled", maybe(arrayOf(oneOf(literal("logs"), literal("metrics"), literal("traces")))))
            .field("keep_monitoring_alive", maybe(oneOf(literalNull(), bool())))
            .field("data_output_id", maybe(oneOf(literalNull(), string())))
            .field("monitoring_output_id", maybe(oneOf(literalNull(), string())))
            .field("download_source_id", maybe(oneOf(literalNull(), string())))
            .field("fleet_server_host_id", maybe(oneOf(literalNull(), string())))
            .field(
                    "agent_features",
                    maybe(arrayOf(object().field("name", string()).field("enabled", bool()))))
            .field("is_protected", maybe(bool()))
            .field("overrides", maybe(oneOf(literalNull(), recordOf(any()))))
            .field("advanced_settings", OPTIONAL_OBJECT)
            .field("supports_agentless", maybe(oneOf(literalNull(), bool())))
            .field(
                    "global_data_tags",
                    maybe(arrayOf(object().field("name", string()).field("value", oneOf(string(), number())))))
            .field("agentless", OPTIONAL_OBJECT)
            .field("monitoring_pprof_enabled", maybe(bool()))
            .field(
                    "monitoring_http",
                    maybe(object().field("enabled", maybe(bool()))
                            .field("host", maybe(string()))
                            .field("port", maybe(number().min(0).max(65353)))
                            .field("buffer", maybe(object().field("enabled", maybe(bool()))))))
            .field("monitoring_diagnostics", OPTIONAL_OBJECT)
            .field(
                    "required_versions",
                    maybe(oneOf(
                            literalNull(),
                            arrayOf(object().field("version", string())
                                    .field("percentage", number().min(0).max(100))))));

    private static final Schema.ObjectSchema CONTENT = object().field(
                    "outputs", maybe(recordOf(object().field("type", string()).allowUnknowns())))
            .field("output_permissions", maybe(recordOf(recordOf(any()))))
            .field("fleet", OPTIONAL_OBJECT)
            .field(
                    "inputs",
                    maybe(arrayOf(object().field("id", string())
                            .field("type", string())
                            .allowUnknowns())))
            .field("secret_references", maybe(arrayOf(object().field("id", string()))))
            .field("agent", OPTIONAL_OBJECT)
            .field("receivers", OPTIONAL_OBJECT)
            .field("processors", OPTIONAL_OBJECT)
            .field("exporters", OPTIONAL_OBJECT)
            .field("extensions", OPTIONAL_OBJECT)
            .field("connectors", OPTIONAL_OBJECT)
            .field("service", OPTIONAL_OBJECT);

    /** {@code POST /api/fleet/agent_policies} body. */
    static final Schema.ObjectSchema CREATE =
            ATTRIBUTES.fields(CONTENT).field("force", maybe(bool())).rule(AgentPolicySchemas::bodyRules);

    /** {@code PUT /api/fleet/agent_policies/{id}} body: the same fields again, plus {@code bumpRevision}. */
    static final Schema.ObjectSchema UPDATE = ATTRIBUTES
            .fields(CONTENT)
            .field("force", maybe(bool()))
            .field("bumpRevision", maybe(bool()))
            .rule(AgentPolicySchemas::bodyRules);

    /** A policy of {@code fleet.agent_policies}: as a create body, {@code namespace} defaulting to {@code default}. */
    static final Schema.ObjectSchema PRECONFIGURED = ATTRIBUTES
            .fields(CONTENT)
            .field("id", string().minLength(1))
            .field(
                    "namespace",
                    withDefault(
                            string().minLength(1).rule(AgentPolicySchemas::namespaceProblem),
                            JsonNodeFactory.instance.stringNode("default")))
            .field(
                    "monitoring_enabled",
                    withDefault(
                            arrayOf(oneOf(literal("logs"), literal("metrics"), literal("traces"))),
                            JsonNodeFactory.instance.arrayNode().add("logs").add("metrics")))
            .rule(AgentPolicySchemas::bodyRules);

    static final Schema.ObjectSchema CREATE_QUERY = object().field("sys_monitoring", maybe(bool()));

    static final Schema.ObjectSchema FORMAT_QUERY =
            object().field("format", maybe(oneOf(literal("simplified"), literal("legacy"))));

    static final Schema.ObjectSchema LIST_QUERY = object().field("page", maybe(number()))
            .field("perPage", maybe(number()))
            .field("kuery", maybe(string()))
            .field("sortField", maybe(string()))
            .field("sortOrder", maybe(oneOf(literal("desc"), literal("asc"))))
            .field("showUpgradeable", maybe(bool()))
            .field("full", maybe(bool()))
            .field("noAgentCount", maybe(bool()))
            .field("withAgentCount", maybe(bool()))
            .field("format", maybe(oneOf(literal("simplified"), literal("legacy"))))
            .rule(query -> {
                boolean counts = query.path("full").asBoolean(false)
                        || query.path("withAgentCount").asBoolean(false)
                        || (query.has("noAgentCount")
                                && !query.path("noAgentCount").asBoolean());
                return counts && query.path("perPage").asDouble(20) > 100
                        ? new Schema.Violation(
                                "request query",
                                "perPage should be less or equal to 100 when fetching full policies or agent count.")
                        : null;
            });

    static final Schema.ObjectSchema FULL_QUERY = object().field("download", maybe(bool()))
            .field("standalone", maybe(bool()))
            .field("kubernetes", maybe(bool()));

    static final Schema.ObjectSchema DELETE =
            object().field("agentPolicyId", string()).field("force", maybe(bool()));

    private AgentPolicySchemas() {}

    private static @Nullable String nonEmpty(String value) {
        return value.strip().isEmpty() ? "Invalid empty string" : null;
    }

    /** Kibana's namespace rules: the namespace becomes part of index names. */
    static @Nullable String namespaceProblem(String namespace) {
        if (namespace.strip().isEmpty()) {
            return "Namespace is required";
        }
        if (!namespace.equals(namespace.toLowerCase(java.util.Locale.ROOT))) {
            return "Namespace must be lowercase";
        }
        if (INVALID_NAMESPACE_CHARACTERS.matcher(namespace).find()) {
            return "Namespace contains invalid characters";
        }
        if (namespace.getBytes(StandardCharsets.UTF_8).length > 100) {
            return "Namespace cannot be more than 100 bytes";
        }
        return null;
    }

    private static Schema.@Nullable Violation bodyRules(ObjectNode body) {
        JsonNode overrides = body.get("overrides");
        if (overrides != null && overrides.isObject()) {
            for (String key : overrides.propertyNames()) {
                if (key.matches("^inputs(\\.)?.*")) {
                    return new Schema.Violation("request body.overrides", "inputs overrides is not allowed");
                }
            }
        }
        JsonNode tags = body.get("global_data_tags");
        if (tags != null && tags.isArray()) {
            Set<String> seen = new HashSet<>();
            List<String> duplicates = new java.util.ArrayList<>();
            List<String> spaces = new java.util.ArrayList<>();
            for (JsonNode tag : tags) {
                String name = tag.path("name").asString();
                if (name.matches(".*\\s.*")) {
                    spaces.add("'" + name + "'");
                }
                if (!seen.add(name.strip())) {
                    duplicates.add("'" + name.strip() + "'");
                }
            }
            List<String> errors = new java.util.ArrayList<>();
            if (!duplicates.isEmpty()) {
                errors.add("Found duplicate tag names: [" + String.join(", ", duplicates)
                        + "], duplicate tag names are not allowed.");
            }
            if (!spaces.isEmpty()) {
                errors.add("Found tag names with spaces: [" + String.join(", ", spaces)
                        + "], tag names with spaces are not allowed.");
            }
            if (!errors.isEmpty()) {
                return new Schema.Violation("request body.global_data_tags", String.join(" ", errors));
            }
        }
        return null;
    }
}
