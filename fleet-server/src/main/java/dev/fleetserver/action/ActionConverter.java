package dev.fleetserver.action;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code .fleet-actions} document as the agent receives it (agent-api §10.11): the common fields, and
 * {@code data} reduced to the shape of the action's type. Upstream decodes {@code data} into a typed struct per
 * action type; keys unknown to that struct vanish and a value of the wrong JSON type makes the whole action
 * undeliverable. This class reproduces both effects.
 */
public final class ActionConverter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ActionConverter() {}

    /**
     * The wire action for {@code agentId}, or empty when the type is not delivered or the document cannot be
     * decoded into its type's shape (which includes a missing {@code data} for types that need one).
     *
     * @param source the document's {@code _source}
     * @param startTimeOverride the agent's rollout-shifted start time, replacing the document's {@code start_time}
     */
    public static Optional<ObjectNode> toWire(ObjectNode source, String agentId, @Nullable String startTimeOverride) {
        JsonNode typeNode = source.path("type");
        String type = typeNode.isString() ? typeNode.stringValue() : null;
        if (!ActionTypes.isDelivered(type)) {
            return Optional.empty();
        }
        try {
            return Optional.of(convert(source, type, agentId, startTimeOverride));
        } catch (Undecodable e) {
            return Optional.empty();
        }
    }

    private static ObjectNode convert(
            ObjectNode source, String type, String agentId, @Nullable String startTimeOverride) {
        ObjectNode action = NODES.objectNode();
        action.put("id", orEmpty(string(source, "action_id")));
        action.put("type", type);
        action.put("agent_id", agentId);
        action.put("created_at", orEmpty(string(source, "@timestamp")));
        action.put("input_type", orEmpty(string(source, "input_type")));
        action.set("data", data(type, present(source.get("data"))));
        putIfSet(action, "start_time", startTimeOverride != null ? startTimeOverride : string(source, "start_time"));
        putIfSet(action, "expiration", string(source, "expiration"));
        long timeout = timeout(source);
        if (timeout != 0) {
            action.put("timeout", timeout);
        }
        putIfSet(action, "traceparent", string(source, "traceparent"));
        JsonNode signed = present(source.get("signed"));
        if (signed != null) {
            ObjectNode signedOut = action.putObject("signed");
            ObjectNode signedIn = object(signed);
            putIfSet(signedOut, "data", string(signedIn, "data"));
            putIfSet(signedOut, "signature", string(signedIn, "signature"));
        }
        return action;
    }

    /** The §10.11 table. */
    private static JsonNode data(String type, @Nullable JsonNode data) {
        return switch (type) {
            case "UNENROLL" -> NODES.nullNode();
            case "UPGRADE" -> {
                ObjectNode in = object(data);
                ObjectNode out = NODES.objectNode().put("version", orEmpty(string(in, "version")));
                putIfPresent(out, "source_uri", string(in, "source_uri"));
                Boolean rollback = bool(in, "rollback");
                if (rollback != null) {
                    out.put("rollback", rollback);
                }
                yield out;
            }
            case "SETTINGS" -> {
                ObjectNode out = NODES.objectNode();
                putIfPresent(out, "log_level", string(object(data), "log_level"));
                yield out;
            }
            case "POLICY_REASSIGN" -> NODES.objectNode().put("policy_id", orEmpty(string(object(data), "policy_id")));
            case "CANCEL" -> NODES.objectNode().put("target_id", orEmpty(string(object(data), "target_id")));
            case "REQUEST_DIAGNOSTICS" -> data == null ? NODES.nullNode() : diagnostics(object(data));
            case "INPUT_ACTION" -> object(data).deepCopy();
            case "MIGRATE" -> {
                ObjectNode in = object(data);
                ObjectNode out = NODES.objectNode()
                        .put("enrollment_token", orEmpty(string(in, "enrollment_token")))
                        .put("target_uri", orEmpty(string(in, "target_uri")));
                JsonNode settings = present(in.get("settings"));
                if (settings != null) {
                    out.set("settings", settings.deepCopy());
                }
                yield out;
            }
            case "PRIVILEGE_LEVEL_CHANGE" -> privilegeLevelChange(object(data));
            default -> throw new IllegalStateException("no data conversion for delivered type " + type);
        };
    }

    private static ObjectNode diagnostics(ObjectNode in) {
        ObjectNode out = NODES.objectNode();
        JsonNode metrics = present(in.get("additional_metrics"));
        if (metrics != null) {
            if (!metrics.isArray()) {
                throw new Undecodable();
            }
            ArrayNode metricsOut = out.putArray("additional_metrics");
            for (JsonNode metric : metrics) {
                if (!metric.isString()) {
                    throw new Undecodable();
                }
                metricsOut.add(metric.stringValue());
            }
        }
        Boolean excludeEventsLog = bool(in, "exclude_events_log");
        if (excludeEventsLog != null) {
            out.put("exclude_events_log", excludeEventsLog);
        }
        return out;
    }

    private static ObjectNode privilegeLevelChange(ObjectNode in) {
        Boolean unprivileged = bool(in, "unprivileged");
        ObjectNode out = NODES.objectNode().put("unprivileged", unprivileged != null && unprivileged);
        JsonNode userInfo = present(in.get("user_info"));
        if (userInfo != null) {
            ObjectNode userIn = object(userInfo);
            ObjectNode userOut = out.putObject("user_info");
            putIfPresent(userOut, "username", string(userIn, "username"));
            putIfPresent(userOut, "password", string(userIn, "password"));
            putIfPresent(userOut, "groupname", string(userIn, "groupname"));
        }
        return out;
    }

    /** {@code timeout} is an integer number of seconds; anything else cannot be decoded. */
    private static long timeout(ObjectNode source) {
        JsonNode timeout = present(source.get("timeout"));
        if (timeout == null) {
            return 0;
        }
        if (!timeout.isNumber() || !timeout.canConvertToExactIntegral() || !timeout.canConvertToLong()) {
            throw new Undecodable();
        }
        return timeout.asLong();
    }

    /** A member that is absent or JSON null counts as not set, as it does for Go's decoder. */
    private static @Nullable JsonNode present(@Nullable JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    private static ObjectNode object(@Nullable JsonNode node) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new Undecodable();
    }

    private static @Nullable String string(ObjectNode in, String name) {
        JsonNode value = present(in.get(name));
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw new Undecodable();
        }
        return value.stringValue();
    }

    private static @Nullable Boolean bool(ObjectNode in, String name) {
        JsonNode value = present(in.get(name));
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            throw new Undecodable();
        }
        return value.booleanValue();
    }

    private static String orEmpty(@Nullable String value) {
        return value == null ? "" : value;
    }

    /** For optional fields: written when the document has them, even as "". */
    private static void putIfPresent(ObjectNode out, String name, @Nullable String value) {
        if (value != null) {
            out.put(name, value);
        }
    }

    /** For {@code omitempty} fields: written only when non-empty. */
    private static void putIfSet(ObjectNode out, String name, @Nullable String value) {
        if (value != null && !value.isEmpty()) {
            out.put(name, value);
        }
    }

    /** The document does not fit its type's shape; thrown without a stack trace, caught in {@link #toWire}. */
    private static final class Undecodable extends RuntimeException {
        Undecodable() {
            super(null, null, false, false);
        }
    }
}
