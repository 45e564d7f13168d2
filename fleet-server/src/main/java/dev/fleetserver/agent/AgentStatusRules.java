package dev.fleetserver.agent;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fleet's status of an agent, computed from its document exactly as Kibana's status runtime field does, rule by
 * rule, the first that matches wins:
 *
 * <ol>
 *   <li>{@code active: false}: unenrolled;
 *   <li>last contact (last checkin, else enrollment) older than its policy's {@code inactivity_timeout}: inactive;
 *   <li>{@code audit_unenrolled_reason} {@code uninstall}: uninstalled; {@code orphaned}: orphaned;
 *   <li>last contact older than 5 minutes (10 missed 30-second polls): offline;
 *   <li>no acknowledged policy revision, or an upgrade started and not finished: updating;
 *   <li>never checked in: enrolling;
 *   <li>unenrollment started: unenrolling;
 *   <li>last checkin status {@code error} or {@code degraded} (any case): error or degraded;
 *   <li>otherwise online.
 * </ol>
 *
 * A field holding JSON {@code null} counts as missing, as it does for Elasticsearch's doc values.
 */
public final class AgentStatusRules {

    /** Kibana's {@code MISSED_INTERVALS_BEFORE_OFFLINE × AGENT_POLLING_THRESHOLD_MS}. */
    public static final Duration OFFLINE_AFTER = Duration.ofMillis(10 * 30_000L);

    /** Kibana stops marking agents inactive when more policies than this have an inactivity timeout. */
    public static final int MAX_POLICIES_WITH_INACTIVITY_TIMEOUT = 750;

    private final Map<String, Long> inactivityTimeoutSeconds;

    /**
     * @param inactivityTimeoutSeconds each policy's {@code inactivity_timeout}; policies with 0 or none are left
     *     out, and when more than {@value #MAX_POLICIES_WITH_INACTIVITY_TIMEOUT} remain no agent is inactive
     */
    public AgentStatusRules(Map<String, Long> inactivityTimeoutSeconds) {
        Map<String, Long> positive = new java.util.HashMap<>();
        inactivityTimeoutSeconds.forEach((policy, seconds) -> {
            if (seconds != null && seconds > 0) {
                positive.put(policy, seconds);
            }
        });
        this.inactivityTimeoutSeconds =
                positive.size() > MAX_POLICIES_WITH_INACTIVITY_TIMEOUT ? Map.of() : Map.copyOf(positive);
    }

    public AgentStatus statusOf(Agent agent, Instant now) {
        return statusOf(agent.source(), now);
    }

    public AgentStatus statusOf(ObjectNode agent, Instant now) {
        long nowMillis = now.toEpochMilli();
        long lastContact =
                present(agent, "last_checkin") ? millis(agent, "last_checkin") : millis(agent, "enrolled_at");
        JsonNode active = value(agent, "active");
        if (active != null && !active.asBoolean(true)) {
            return AgentStatus.UNENROLLED;
        }
        if (isInactive(agent, lastContact, nowMillis)) {
            return AgentStatus.INACTIVE;
        }
        String auditReason = text(agent, "audit_unenrolled_reason");
        if ("uninstall".equals(auditReason)) {
            return AgentStatus.UNINSTALLED;
        }
        if ("orphaned".equals(auditReason)) {
            return AgentStatus.ORPHANED;
        }
        if (lastContact > 0 && lastContact < nowMillis - OFFLINE_AFTER.toMillis()) {
            return AgentStatus.OFFLINE;
        }
        if (!present(agent, "policy_revision_idx")
                || (present(agent, "upgrade_started_at") && !present(agent, "upgraded_at"))) {
            return AgentStatus.UPDATING;
        }
        if (!present(agent, "last_checkin")) {
            return AgentStatus.ENROLLING;
        }
        if (present(agent, "unenrollment_started_at")) {
            return AgentStatus.UNENROLLING;
        }
        String checkinStatus = text(agent, "last_checkin_status");
        if (checkinStatus != null && checkinStatus.equalsIgnoreCase("error")) {
            return AgentStatus.ERROR;
        }
        if (checkinStatus != null && checkinStatus.equalsIgnoreCase("degraded")) {
            return AgentStatus.DEGRADED;
        }
        return AgentStatus.ONLINE;
    }

    private boolean isInactive(ObjectNode agent, long lastContact, long nowMillis) {
        String policyId = text(agent, "policy_id");
        if (lastContact <= 0 || policyId == null) {
            return false;
        }
        Long timeout = inactivityTimeoutSeconds.get(policyId);
        return timeout != null && lastContact < nowMillis - timeout * 1000;
    }

    private static @Nullable JsonNode value(ObjectNode agent, String field) {
        JsonNode value = agent.get(field);
        if (value == null || value.isNull() || (value.isArray() && value.isEmpty())) {
            return null;
        }
        return value.isArray() ? value.get(0) : value;
    }

    private static boolean present(ObjectNode agent, String field) {
        return value(agent, field) != null;
    }

    private static @Nullable String text(ObjectNode agent, String field) {
        JsonNode value = value(agent, field);
        return value != null && value.isString() ? value.asString() : null;
    }

    /** A date field in epoch milliseconds; -1 when missing or unreadable. */
    private static long millis(ObjectNode agent, String field) {
        JsonNode value = value(agent, field);
        if (value == null) {
            return -1;
        }
        if (value.isNumber()) {
            return value.asLong();
        }
        try {
            return OffsetDateTime.parse(value.asString()).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(value.asString()).toEpochMilli();
            } catch (DateTimeParseException again) {
                return -1;
            }
        }
    }
}
