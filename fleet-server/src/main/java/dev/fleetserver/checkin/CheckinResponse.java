package dev.fleetserver.checkin;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A checkin answer (agent-api §10.10): {@code action} is always {@code checkin}, {@code ack_token} always present
 * (empty when no action document is delivered; absent only in graceful force-unenroll's answers),
 * {@code actions} omitted when empty.
 */
record CheckinResponse(@Nullable String ackToken, List<ObjectNode> actions) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static CheckinResponse nothing() {
        return new CheckinResponse("", List.of());
    }

    static CheckinResponse policyChange(ObjectNode action) {
        return new CheckinResponse("", List.of(action));
    }

    byte[] toJson() {
        ObjectNode body = JSON.createObjectNode();
        if (ackToken != null) { // absent only on the synthesized answers of graceful force-unenroll
            body.put("ack_token", ackToken);
        }
        body.put("action", "checkin");
        if (!actions.isEmpty()) {
            var list = body.putArray("actions");
            actions.forEach(list::add);
        }
        return JSON.writeValueAsBytes(body);
    }
}
