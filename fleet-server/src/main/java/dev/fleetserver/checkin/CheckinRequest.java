package dev.fleetserver.checkin;

import dev.fleetserver.api.BadRequestException;
import dev.fleetserver.api.JsonFields;
import dev.fleetserver.api.UpstreamFailureException;
import dev.fleetserver.config.GoDuration;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checkin body (agent-api §10.1, §10.3). Absent and {@code null} differ for {@code components} and
 * {@code local_metadata}: neither clears what is stored.
 *
 * @param pollTimeout the agent's own request timeout, or null (real agents never send it)
 * @param reportedPolicyId {@code agent_policy_id}, the policy the agent actually runs
 * @param reportedRevision {@code policy_revision_idx}, the revision it actually runs
 * @param rollbacks {@code upgrade.rollbacks}, or null when absent or malformed
 */
record CheckinRequest(
        String status,
        String message,
        @Nullable String ackToken,
        @Nullable JsonNode localMetadata,
        @Nullable ArrayNode components,
        @Nullable Duration pollTimeout,
        @Nullable ObjectNode upgradeDetails,
        @Nullable String reportedPolicyId,
        @Nullable Long reportedRevision,
        @Nullable ArrayNode rollbacks) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonFields FIELDS = new JsonFields("checkin");

    static CheckinRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequestException("unable to decode checkin request", e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new BadRequestException("unable to decode checkin request", "not a JSON object");
        }
        String status = FIELDS.string(root, "status");
        String message = FIELDS.string(root, "message");
        String ackToken = FIELDS.string(root, "ack_token");
        String poll = FIELDS.string(root, "poll_timeout");
        String reportedPolicy = FIELDS.string(root, "agent_policy_id");
        Long reportedRevision = FIELDS.integer(root, "policy_revision_idx");
        JsonNode details = FIELDS.object(root, "upgrade_details");
        JsonNode upgrade = FIELDS.object(root, "upgrade");
        if (status == null || status.isEmpty()) {
            throw new BadRequestException("checkin status missing");
        }
        Duration pollTimeout = null;
        if (poll != null) {
            try {
                pollTimeout = GoDuration.parseStrict(poll);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException(
                        "poll_timeout cannot be parsed as duration", "time: invalid duration \"" + poll + "\"");
            }
        }
        JsonNode components = root.get("components");
        ArrayNode componentList = null;
        if (components != null && !components.isNull()) {
            if (!(components instanceof ArrayNode array)) {
                throw new UpstreamFailureException("unable to parse components: not an array");
            }
            for (JsonNode component : array) {
                if (!component.isObject()) {
                    throw new UpstreamFailureException("unable to parse components: not an object");
                }
            }
            componentList = array;
        }
        JsonNode local = root.get("local_metadata");
        // Malformed rollbacks are ignored, never an error (agent-api §10.3).
        JsonNode rollbacks = upgrade == null ? null : upgrade.get("rollbacks");
        return new CheckinRequest(
                status,
                message == null ? "" : message,
                ackToken,
                local == null || local.isNull() ? null : local,
                componentList,
                pollTimeout,
                (ObjectNode) details,
                reportedPolicy,
                reportedRevision,
                rollbacks instanceof ArrayNode list ? list : null);
    }
}
