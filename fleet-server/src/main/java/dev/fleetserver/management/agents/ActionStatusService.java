package dev.fleetserver.management.agents;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.management.policies.AgentPolicy;
import dev.fleetserver.management.policies.AgentPolicyService;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api/fleet/agents/action_status}, Kibana's algorithm: the newest actions (by {@code action_id}) with
 * how many agents they target and how many acknowledged or failed (from their results), plus one POLICY_CHANGE
 * entry per policy whose latest revision is above 1 (how many of its agents run it), newest first, one page.
 *
 * <p>Only the latest revision of each policy is reported: the policy port reads latest revisions, not history.
 */
public final class ActionStatusService {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ActionStore actions;
    private final AgentStore agents;
    private final AgentPolicyService policies;
    private final Clock clock;

    ActionStatusService(ActionStore actions, AgentStore agents, AgentPolicyService policies, Clock clock) {
        this.actions = actions;
        this.agents = agents;
        this.policies = policies;
        this.clock = clock;
    }

    /**
     * @param page zero-based, as Kibana's
     * @param from only actions created at or after this instant (null: no bound)
     * @param until only actions created before this instant (null: no bound)
     * @param withPolicyChanges whether POLICY_CHANGE entries are included (Kibana leaves them out for {@code latest})
     */
    public ObjectNode status(
            int page,
            int perPage,
            @Nullable Instant from,
            @Nullable Instant until,
            boolean withPolicyChanges,
            int errorSize) {
        int wanted = (page + 1) * perPage;
        Instant now = clock.instant();
        Map<String, List<ActionDocument>> byId = new LinkedHashMap<>();
        Map<String, ObjectNode> cancellations = new HashMap<>();
        // Over-fetch: documents of one action, cancellations and out-of-window ones take no slot of their own.
        for (ActionDocument document : actions.newest(wanted * 4 + 100)) {
            if (document.type().equals("CANCEL")) {
                cancellations.putIfAbsent(
                        document.source().path("data").path("target_id").asString(""), document.source());
                continue;
            }
            Instant created = instant(document.source().path("@timestamp").asString(null));
            if ((from != null && (created == null || created.isBefore(from)))
                    || (until != null && (created == null || !created.isBefore(until)))) {
                continue;
            }
            if (byId.size() >= wanted && !byId.containsKey(document.actionId())) {
                continue;
            }
            byId.computeIfAbsent(document.actionId(), id -> new ArrayList<>()).add(document);
        }
        Map<String, List<ObjectNode>> results = new HashMap<>();
        for (ObjectNode result : actions.resultsOf(byId.keySet())) {
            results.computeIfAbsent(result.path("action_id").asString(""), id -> new ArrayList<>())
                    .add(result);
        }
        List<ObjectNode> items = new ArrayList<>();
        byId.forEach((actionId, documents) -> items.add(actionStatus(
                actionId,
                documents,
                results.getOrDefault(actionId, List.of()),
                cancellations.get(actionId),
                now,
                errorSize)));
        if (withPolicyChanges) {
            items.addAll(policyChanges(from, until));
        }
        items.sort(Comparator.comparing(
                        (ObjectNode item) -> item.path("creationTime").asString(""))
                .reversed());
        ObjectNode body = NODES.objectNode();
        ArrayNode array = body.putArray("items");
        items.stream().skip((long) page * perPage).limit(perPage).forEach(array::add);
        return body;
    }

    private ObjectNode actionStatus(
            String actionId,
            List<ActionDocument> documents,
            List<ObjectNode> results,
            @Nullable ObjectNode cancellation,
            Instant now,
            int errorSize) {
        ObjectNode first = documents.getFirst().source();
        String type = first.path("type").asString("");
        long created = documents.stream().mapToLong(d -> d.agents().size()).sum();
        long total = documents.stream()
                .mapToLong(d -> d.source().path("total").asLong(0))
                .sum();
        long actioned = total > 0 ? total : created;
        List<ObjectNode> failed = results.stream()
                .filter(r -> !r.path("error").asString("").isEmpty())
                .sorted(Comparator.comparing(
                                (ObjectNode r) -> r.path("@timestamp").asString(""))
                        .reversed())
                .toList();
        long acknowledged = Math.min(results.size(), actioned) - failed.size();
        boolean complete = results.size() >= actioned;
        Instant expiration = instant(first.path("expiration").asString(null));
        Instant start = instant(first.path("start_time").asString(null));
        long rollout = first.path("rollout_duration_seconds").asLong(0);
        String status;
        if (cancellation != null) {
            status = "CANCELLED";
        } else if (complete) {
            status = failed.isEmpty() ? "COMPLETE" : "FAILED";
        } else if (!type.equals("UPGRADE") && expiration != null && expiration.isBefore(now)) {
            status = "EXPIRED";
        } else if (type.equals("UPGRADE")
                && rollout > 0
                && start != null
                && start.plusSeconds(rollout).isBefore(now)) {
            status = "ROLLOUT_PASSED";
        } else {
            status = "IN_PROGRESS";
        }
        ObjectNode item = NODES.objectNode();
        item.put("actionId", actionId);
        item.put("nbAgentsActionCreated", created);
        item.put("nbAgentsAck", acknowledged);
        putText(item, "version", first.path("data").path("version"));
        putText(item, "startTime", first.path("start_time"));
        item.put("type", type);
        item.put("nbAgentsActioned", actioned);
        item.put("status", status);
        putText(item, "expiration", first.path("expiration"));
        item.put("creationTime", first.path("@timestamp").asString(""));
        item.put("nbAgentsFailed", failed.size());
        item.put("hasRolloutPeriod", rollout > 0);
        results.stream()
                .map(r -> r.path("@timestamp").asString(""))
                .max(String::compareTo)
                .ifPresent(latest -> item.put("completionTime", latest));
        if (cancellation != null) {
            item.put("cancellationTime", cancellation.path("@timestamp").asString(""));
        }
        if (type.equals("POLICY_REASSIGN")) {
            putText(item, "newPolicyId", first.path("data").path("policy_id"));
        }
        ArrayNode errors = item.putArray("latestErrors");
        failed.stream().limit(errorSize).forEach(result -> {
            String agentId = result.path("agent_id").asString("");
            String hostname = agents.findById(agentId)
                    .map(Agent::source)
                    .map(s -> s.path("local_metadata").path("host").path("name").asString(agentId))
                    .orElse(agentId);
            errors.addObject()
                    .put("agentId", agentId)
                    .put("error", result.path("error").asString())
                    .put("timestamp", result.path("@timestamp").asString(""))
                    .put("hostname", hostname);
        });
        return item;
    }

    private List<ObjectNode> policyChanges(@Nullable Instant from, @Nullable Instant until) {
        List<AgentPolicy> changed = policies.all().stream()
                .filter(p ->
                        p.revision() > 1 && p.document().path("coordinator_idx").asLong(0) == 0)
                .filter(p -> {
                    Instant created = instant(p.document().path("@timestamp").asString(null));
                    return (from == null || (created != null && !created.isBefore(from)))
                            && (until == null || (created != null && created.isBefore(until)));
                })
                .toList();
        if (changed.isEmpty()) {
            return List.of();
        }
        Map<String, long[]> counts = new HashMap<>(); // policy -> {agents, on the revision}
        Map<String, Long> revisions = new HashMap<>();
        changed.forEach(p -> revisions.put(p.id(), p.revision()));
        agents.forEachAgent(agent -> {
            Long revision = revisions.get(agent.policyId());
            if (revision != null && agent.active()) {
                long[] count = counts.computeIfAbsent(agent.policyId(), id -> new long[2]);
                count[0]++;
                if (agent.policyRevisionIdx() >= revision) {
                    count[1]++;
                }
            }
        });
        List<ObjectNode> items = new ArrayList<>();
        for (AgentPolicy policy : changed) {
            long[] count = counts.getOrDefault(policy.id(), new long[2]);
            String timestamp = policy.document().path("@timestamp").asString("");
            ObjectNode item = NODES.objectNode();
            item.put("actionId", policy.id() + ":" + policy.revision());
            item.put("nbAgentsActionCreated", count[0]);
            item.put("nbAgentsAck", count[1]);
            item.put("type", "POLICY_CHANGE");
            item.put("nbAgentsActioned", count[0]);
            item.put("status", count[1] >= count[0] ? "COMPLETE" : "IN_PROGRESS");
            item.put("creationTime", timestamp);
            item.put("completionTime", timestamp);
            item.put("nbAgentsFailed", 0);
            item.put("revision", policy.revision());
            item.put("policyId", policy.id());
            item.putArray("latestErrors");
            items.add(item);
        }
        return items;
    }

    /** Kibana leaves out what is undefined. */
    private static void putText(ObjectNode item, String field, tools.jackson.databind.JsonNode value) {
        if (value.isString()) {
            item.put(field, value.asString());
        }
    }

    private static @Nullable Instant instant(@Nullable String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
