package dev.fleetserver.action;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hands newly stored actions to the checkins waiting for them (algorithms §5.1). Each waiting checkin subscribes
 * for its agent; a newer checkin of the same agent replaces the older subscription, and a subscription is removed
 * by identity so a late-ending older checkin cannot remove a newer one. An agent that is not waiting gets nothing
 * here: its next checkin reads the action as pending.
 */
public final class ActionDispatcher {

    private final ActionSecrets secrets;
    private final Map<String, Subscription> waiting = new ConcurrentHashMap<>();

    public ActionDispatcher(ActionSecrets secrets) {
        this.secrets = secrets;
    }

    /** Subscribes a waiting checkin; close the subscription when the checkin ends. */
    public Subscription subscribe(String agentId, Consumer<ActionBatch> onActions) {
        Subscription subscription = new Subscription(agentId, onActions);
        waiting.put(agentId, subscription);
        return subscription;
    }

    /** Number of checkins currently waiting for actions. */
    public int waitingCount() {
        return waiting.size();
    }

    /** Called by the action feed with new documents, oldest first. */
    public void dispatch(List<ActionDocument> documents) {
        Map<String, List<ObjectNode>> actionsByAgent = new LinkedHashMap<>();
        Map<String, ActionDocument> lastByAgent = new LinkedHashMap<>();
        for (ActionDocument document : documents) {
            if (!ActionTypes.isDelivered(document.type())) {
                continue;
            }
            List<String> agents = document.agents();
            if (agents.stream().noneMatch(waiting::containsKey)) {
                continue;
            }
            ObjectNode source = secrets.resolve(document.source());
            for (int i = 0; i < agents.size(); i++) {
                String agentId = agents.get(i);
                if (!waiting.containsKey(agentId)) {
                    continue;
                }
                String startTime = Rollout.startTimeFor(
                        text(source, "start_time"),
                        source.path("rollout_duration_seconds").asLong(0),
                        i,
                        agents.size());
                ActionConverter.toWire(source, agentId, startTime).ifPresent(action -> {
                    actionsByAgent
                            .computeIfAbsent(agentId, id -> new ArrayList<>())
                            .add(action);
                    lastByAgent.put(agentId, document);
                });
            }
        }
        actionsByAgent.forEach((agentId, actions) -> {
            Subscription subscription = waiting.get(agentId);
            ActionDocument last = lastByAgent.get(agentId);
            if (subscription != null) {
                subscription.onActions.accept(new ActionBatch(List.copyOf(actions), last.documentId(), last.seqNo()));
            }
        });
    }

    private static String text(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    /** One waiting checkin's interest in its agent's actions. */
    public final class Subscription implements AutoCloseable {
        private final String agentId;
        private final Consumer<ActionBatch> onActions;

        private Subscription(String agentId, Consumer<ActionBatch> onActions) {
            this.agentId = agentId;
            this.onActions = onActions;
        }

        @Override
        public void close() {
            waiting.remove(agentId, this);
        }
    }
}
