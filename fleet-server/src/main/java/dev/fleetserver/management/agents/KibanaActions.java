package dev.fleetserver.management.agents;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.management.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes actions for agents as Kibana's {@code createAgentAction} does (data-model §5.3): a new {@code action_id},
 * {@code @timestamp} now, {@code expiration} 30 days later, the target agents, {@code data}, the namespaces. The
 * store hands new actions to waiting checkins, so agents receive them at once.
 */
final class KibanaActions {

    /** Kibana's default lifetime of an action. */
    static final Duration LIFETIME = Duration.ofDays(30);

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ActionStore store;
    private final Clock clock;

    KibanaActions(ActionStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    ActionDocument create(
            String type,
            List<String> agents,
            @Nullable JsonNode data,
            @Nullable JsonNode ackData,
            List<String> namespaces) {
        return create(type, agents, data, ackData, namespaces, LIFETIME);
    }

    /** As {@link #create(String, List, JsonNode, JsonNode, List)}, expiring after {@code lifetime}. */
    ActionDocument create(
            String type,
            List<String> agents,
            @Nullable JsonNode data,
            @Nullable JsonNode ackData,
            List<String> namespaces,
            Duration lifetime) {
        Instant now = clock.instant();
        ObjectNode document = NODES.objectNode();
        document.put("@timestamp", Timestamps.format(now));
        document.put("expiration", Timestamps.format(now.plus(lifetime)));
        agents.forEach(document.putArray("agents")::add);
        document.put("action_id", UUID.randomUUID().toString());
        if (data != null) {
            document.set("data", data);
        }
        if (ackData != null) {
            document.set("ack_data", ackData);
        }
        document.put("type", type);
        namespaces.forEach(document.putArray("namespaces")::add);
        return store.create(document);
    }

    /** The action as {@code POST /agents/{id}/actions} answers it. */
    static ObjectNode response(ActionDocument action) {
        ObjectNode source = action.source();
        ObjectNode item = NODES.objectNode();
        item.put("id", action.actionId());
        item.put("type", action.type());
        if (source.has("data")) {
            item.set("data", source.get("data").deepCopy());
        }
        if (source.has("ack_data")) {
            item.set("ack_data", source.get("ack_data").deepCopy());
        }
        item.set("agents", source.path("agents").deepCopy());
        item.set("namespaces", source.path("namespaces").deepCopy());
        item.put("created_at", source.path("@timestamp").asString());
        return item;
    }
}
