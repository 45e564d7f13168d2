package dev.fleetserver.checkin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fleetserver.auth.AgentInactiveException;
import dev.fleetserver.auth.ApiKeyException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Optional (feature flag {@code graceful_force_unenroll}, agent-api §7.8): an agent whose key is dead would never
 * stop checking in, since agents stop only on UNENROLL. Within an hour, its first such checkin gets an empty
 * policy (stopping its inputs), the second an UNENROLL action, later ones the original 401.
 */
final class GracefulForceUnenroll {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Upstream's estimate of one tracked agent's memory, to turn the byte budget into a count. */
    private static final long BYTES_PER_AGENT = 250;

    private final Cache<String, AtomicInteger> escalations;

    GracefulForceUnenroll(long maxBytes) {
        this.escalations = Caffeine.newBuilder()
                .maximumSize(Math.max(1, maxBytes / BYTES_PER_AGENT))
                .expireAfterWrite(Duration.ofHours(1))
                .build();
    }

    /** Whether this failure is one the escalation replaces (a dead or refused key, or an inactive agent). */
    static boolean applies(RuntimeException failure) {
        if (failure instanceof AgentInactiveException) {
            return true;
        }
        return failure instanceof ApiKeyException key
                && (key.problem() == ApiKeyException.Problem.REJECTED
                        || key.problem() == ApiKeyException.Problem.NOT_ENABLED);
    }

    /** The answer for this occurrence, or empty when the original error must be returned. */
    Optional<CheckinResponse> answer(String agentId) {
        int occurrence = escalations.get(agentId, id -> new AtomicInteger()).incrementAndGet();
        return switch (occurrence) {
            case 1 ->
                Optional.of(
                        synthesized(agentId, "POLICY_CHANGE", NODES.objectNode().set("policy", NODES.objectNode())));
            case 2 -> Optional.of(synthesized(agentId, "UNENROLL", null));
            default -> Optional.empty();
        };
    }

    private static CheckinResponse synthesized(String agentId, String type, ObjectNode data) {
        ObjectNode action = NODES.objectNode();
        action.put("id", UUID.randomUUID().toString());
        action.put("type", type);
        action.put("agent_id", agentId);
        action.put("created_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        action.put("input_type", "");
        action.set("data", data == null ? NODES.nullNode() : data);
        return CheckinResponse.of(null, List.of(action));
    }
}
