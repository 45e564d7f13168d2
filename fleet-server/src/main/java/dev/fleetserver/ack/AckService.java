package dev.fleetserver.ack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.auth.AgentAuthenticator;
import dev.fleetserver.auth.ApiKeyAuthenticator;
import dev.fleetserver.auth.AuthenticatedAgent;
import dev.fleetserver.policy.OutputKeys;
import dev.fleetserver.policy.PolicyAckId;
import dev.fleetserver.policy.PolicyChangeAction;
import dev.fleetserver.store.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Processes acknowledgements (agent-api §11): each event in order, one result document per acknowledged action
 * (stored idempotently), then the deferred effects — the newest acknowledged revision of the agent's policy
 * (with output-key clean-up), and unenrollment (every key invalidated, the agent made inactive).
 */
public final class AckService {

    private static final Logger log = LoggerFactory.getLogger(AckService.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** RFC 3339 with up to nine fraction digits, trailing zeros dropped, the offset kept (Go's RFC3339Nano). */
    private static final DateTimeFormatter RFC3339_NANO = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .appendOffset("+HH:MM", "Z")
            .toFormatter();

    private final AgentAuthenticator authenticator;
    private final ApiKeyAuthenticator keyCache;
    private final AgentStore agents;
    private final ActionStore actions;
    private final ApiKeys apiKeys;
    private final OutputKeys outputKeys;
    private final Cache<String, ActionDocument> actionCache;

    AckService(
            AgentAuthenticator authenticator,
            ApiKeyAuthenticator keyCache,
            AgentStore agents,
            ActionStore actions,
            ApiKeys apiKeys,
            OutputKeys outputKeys,
            Duration actionTtl) {
        this.authenticator = authenticator;
        this.keyCache = keyCache;
        this.agents = agents;
        this.actions = actions;
        this.apiKeys = apiKeys;
        this.outputKeys = outputKeys;
        this.actionCache = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(actionTtl)
                .build();
    }

    AckResponse ack(List<String> authorization, String agentId, Supplier<AckRequest> body) {
        AuthenticatedAgent authenticated = authenticator.authenticate(authorization, agentId);
        Agent agent = authenticated.agent();
        AckRequest request = body.get();

        List<AckResponse.Item> items = new ArrayList<>();
        List<Integer> policyItems = new ArrayList<>();
        List<PolicyAckId> policyAcks = new ArrayList<>();
        List<Integer> unenrollItems = new ArrayList<>();
        for (ObjectNode event : request.events()) {
            int index = items.size();
            items.add(ok());
            String eventAgent = event.path("agent_id").asString("");
            if (!eventAgent.isEmpty() && !eventAgent.equals(agentId)) {
                items.set(index, item(400));
                continue;
            }
            String actionId = event.path("action_id").asString("");
            String error = event.path("error").asString("");
            if (actionId.startsWith("policy:")) {
                if (error.isEmpty()) {
                    PolicyChangeAction.parseAckId(actionId).ifPresent(id -> {
                        policyAcks.add(id);
                        policyItems.add(index);
                    });
                }
                continue;
            }
            try {
                Optional<ActionDocument> action = action(actionId);
                if (action.isEmpty()) {
                    items.set(index, item(404));
                    continue;
                }
                ActionDocument document = action.get();
                actions.storeResult(actionId, agentId, result(document, agentId, event));
                switch (document.type()) {
                    case "UPGRADE" -> upgradeAcknowledged(agentId, event, agent);
                    case "UNENROLL", "MIGRATE" -> {
                        if (error.isEmpty()) {
                            unenrollItems.add(index);
                        }
                    }
                    default -> {}
                }
            } catch (RuntimeException e) {
                items.set(index, failure(e));
            }
        }
        if (!policyAcks.isEmpty()) {
            try {
                policyAcknowledged(agent, policyAcks);
            } catch (RuntimeException e) {
                policyItems.forEach(i -> items.set(i, failure(e)));
            }
        }
        if (!unenrollItems.isEmpty()) {
            try {
                unenroll(authenticated);
            } catch (RuntimeException e) {
                unenrollItems.forEach(i -> items.set(i, failure(e)));
            }
        }
        return new AckResponse(List.copyOf(items));
    }

    private Optional<ActionDocument> action(String actionId) {
        ActionDocument cached = actionCache.getIfPresent(actionId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<ActionDocument> found = actions.findByActionId(actionId);
        found.ifPresent(document -> actionCache.put(actionId, document));
        return found;
    }

    /** The result document (agent-api §11.3); its shape follows the action's type, not the event's. */
    private static ObjectNode result(ActionDocument action, String agentId, ObjectNode event) {
        ObjectNode result = NODES.objectNode();
        result.put("action_id", action.actionId());
        result.put("agent_id", agentId);
        JsonNode namespaces = action.source().get("namespaces");
        if (namespaces != null && !namespaces.isNull()) {
            // Upstream drops them when the action came from its cache (Quirk Q14); always kept here.
            result.set("namespaces", namespaces);
        }
        String error = event.path("error").asString("");
        if (!error.isEmpty()) {
            result.put("error", error);
        }
        result.put("@timestamp", timestamp(event.path("timestamp").asString("")));
        switch (action.type()) {
            case "REQUEST_DIAGNOSTICS" -> {
                JsonNode data = event.get("data");
                result.set(
                        "data",
                        data instanceof ObjectNode object
                                ? NODES.objectNode()
                                        .put(
                                                "upload_id",
                                                object.path("upload_id").asString(""))
                                : NODES.nullNode());
            }
            case "INPUT_ACTION" -> {
                copy(event, result, "action_input_type");
                copy(event, result, "action_data");
                copy(event, result, "action_response");
                String started = event.path("started_at").asString("");
                if (!started.isEmpty()) {
                    result.put("started_at", timestamp(started));
                }
                String completed = event.path("completed_at").asString("");
                if (!completed.isEmpty()) {
                    result.put("completed_at", timestamp(completed));
                }
            }
            default -> {}
        }
        return result;
    }

    /** Upstream writes Go's zero time for a missing timestamp (Quirk Q12). */
    static String timestamp(String text) {
        if (text.isEmpty()) {
            return "0001-01-01T00:00:00Z";
        }
        try {
            return RFC3339_NANO.format(OffsetDateTime.parse(text));
        } catch (DateTimeParseException e) {
            return "0001-01-01T00:00:00Z";
        }
    }

    /** UPGRADE acks (agent-api §11.5); newer agents report through {@code upgrade_details} instead. */
    private void upgradeAcknowledged(String agentId, ObjectNode event, Agent agent) {
        String error = event.path("error").asString("");
        ObjectNode fields = NODES.objectNode();
        if (error.isEmpty()) {
            fields.putNull("upgrade_started_at");
            fields.put("upgraded_at", now());
            if (agent.field("upgrade_details") == null) {
                fields.putNull("upgrade_attempts");
            }
        } else {
            JsonNode payload = event.get("payload");
            if (payload != null && payload.path("retry").asBoolean(false)) {
                return; // the agent will retry; nothing changes
            }
            fields.putNull("upgrade_started_at");
        }
        agents.update(agentId, fields);
    }

    /**
     * The highest acknowledged revision of the agent's current policy, if newer than the stored one: retired keys
     * are cleaned up, then the revision is written only if the agent still has that policy (a reassignment may
     * have happened meanwhile).
     */
    private void policyAcknowledged(Agent agent, List<PolicyAckId> acks) {
        Optional<PolicyAckId> newest = acks.stream()
                .filter(id -> id.policyId().equals(agent.policyId()))
                .filter(id -> id.revisionIdx() > agent.policyRevisionIdx())
                .max(java.util.Comparator.comparingLong(PolicyAckId::revisionIdx));
        if (newest.isEmpty()) {
            return;
        }
        outputKeys.cleanUp(agent);
        long revision = newest.get().revisionIdx();
        String policyId = newest.get().policyId();
        agents.modify(agent.id(), document -> {
            if (!policyId.equals(document.path("policy_id").asString())) {
                return false;
            }
            document.remove("default_api_key_history");
            document.put("policy_revision_idx", revision);
            document.put("updated_at", now());
            return true;
        });
    }

    /** Unenrollment (and migration) acknowledged: every key of the agent stops working, the agent is inactive. */
    private void unenroll(AuthenticatedAgent authenticated) {
        Agent agent = authenticated.agent();
        outputKeys.invalidateAll(agent);
        ObjectNode fields = NODES.objectNode();
        fields.put("active", false);
        String now = now();
        fields.put("unenrolled_at", now);
        fields.put("updated_at", now);
        agents.update(agent.id(), fields);
        keyCache.forget(authenticated.key().id());
        log.info("Agent {} unenrolled", agent.id());
    }

    private static AckResponse.Item failure(RuntimeException e) {
        if (e instanceof StoreUnavailableException store && store.status() > 0) {
            return new AckResponse.Item(store.status(), store.getMessage());
        }
        log.warn("Acknowledgement failed: {}", e.getMessage());
        return item(500);
    }

    private static AckResponse.Item ok() {
        return item(200);
    }

    private static AckResponse.Item item(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return new AckResponse.Item(status, known == null ? "" : known.getReasonPhrase());
    }

    private static void copy(ObjectNode from, ObjectNode to, String field) {
        JsonNode value = from.get(field);
        if (value != null) {
            to.set(field, value);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
