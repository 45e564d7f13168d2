package dev.fleetserver.checkin;

import dev.fleetserver.action.ActionStore;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.api.UpstreamFailureException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records upgrade progress the agent reports in its checkin (agent-api §10.9), synchronously: validated and
 * normalised by state, written on every checkin that carries it; a checkin without it, for an agent that had
 * some, marks the upgrade as finished.
 */
final class UpgradeDetailsWriter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern RATE = Pattern.compile("^([0-9]*\\.?[0-9]+)\\s*([kmgtp]?)b?$");

    private final AgentStore agents;
    private final ActionStore actions;

    UpgradeDetailsWriter(AgentStore agents, ActionStore actions) {
        this.agents = agents;
        this.actions = actions;
    }

    void apply(Agent agent, @Nullable ObjectNode details) {
        if (details == null) {
            if (agent.field("upgrade_details") != null) {
                ObjectNode fields = NODES.objectNode();
                fields.putNull("upgrade_details");
                fields.putNull("upgrade_started_at");
                fields.put("upgraded_at", now());
                agents.update(agent.id(), fields);
            }
            return;
        }
        String actionId = details.path("action_id").asString("");
        // Upstream silently skips details whose action it cannot find (Quirk Q10).
        if (actionId.isEmpty() || actions.findByActionId(actionId).isEmpty()) {
            return;
        }
        ObjectNode stored = normalised(details);
        ObjectNode fields = NODES.objectNode();
        fields.set("upgrade_details", stored);
        if ("UPG_WATCHING".equals(stored.path("state").asString()) && agent.field("upgrade_attempts") != null) {
            fields.putNull("upgrade_attempts");
        }
        agents.update(agent.id(), fields);
    }

    private static ObjectNode normalised(ObjectNode details) {
        ObjectNode copy = details.deepCopy();
        JsonNode metadata = details.path("metadata");
        switch (details.path("state").asString("")) {
            case "UPG_SCHEDULED" -> {
                String scheduled = metadata.path("scheduled_at").asString("");
                if (scheduled.isEmpty() || scheduled.startsWith("0001-01-01") || !isTime(scheduled)) {
                    throw new UpstreamFailureException(
                            "invalid upgrade details: scheduled_at is required for UPG_SCHEDULED");
                }
            }
            case "UPG_DOWNLOADING" -> {
                ObjectNode kept = NODES.objectNode();
                if (metadata.has("download_percent")) {
                    kept.put(
                            "download_percent",
                            metadata.path("download_percent").asDouble());
                }
                if (metadata.has("download_rate")) {
                    kept.put("download_rate", rate(metadata.get("download_rate")));
                }
                copyText(metadata, kept, "retry_error_msg");
                copyText(metadata, kept, "retry_until");
                copy.set("metadata", kept);
            }
            case "UPG_FAILED" -> {
                String error = metadata.path("error_msg").asString("");
                if (error.isEmpty()) {
                    throw new UpstreamFailureException("invalid upgrade details: error_msg is required for UPG_FAILED");
                }
                ObjectNode kept = NODES.objectNode();
                copyText(metadata, kept, "failed_state");
                kept.put("error_msg", error);
                copy.set("metadata", kept);
            }
            default -> {}
        }
        return copy;
    }

    /** Bytes per second from a number or a human string such as {@code 1.5MBps} (decimal units). */
    static double rate(JsonNode value) {
        if (value.isNumber()) {
            return value.asDouble();
        }
        String text = value.asString("").strip().toLowerCase(Locale.ROOT);
        if (text.endsWith("ps")) {
            text = text.substring(0, text.length() - 2);
        }
        Matcher m = RATE.matcher(text);
        if (!m.matches()) {
            throw new UpstreamFailureException("invalid upgrade details: download_rate " + value);
        }
        int power = "kmgtp".indexOf(m.group(2).isEmpty() ? ' ' : m.group(2).charAt(0)) + 1;
        return new BigDecimal(m.group(1))
                .multiply(BigDecimal.valueOf(1000).pow(power))
                .doubleValue();
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        JsonNode value = from.get(field);
        if (value != null && value.isString() && !value.asString().isEmpty()) {
            to.put(field, value.asString());
        }
    }

    private static boolean isTime(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
