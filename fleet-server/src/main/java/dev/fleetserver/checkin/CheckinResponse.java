package dev.fleetserver.checkin;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A checkin answer (agent-api §10.10): {@code action} is always {@code checkin}, {@code ack_token} always present
 * (empty when no action document is delivered; absent only in graceful force-unenroll's answers),
 * {@code actions} omitted when empty. Either a tree serialized for this one answer ({@link Actions}), or a policy
 * revision whose bytes are shared by every agent it goes to ({@link PolicyChangeAnswer}, ADR 12).
 */
sealed interface CheckinResponse permits CheckinResponse.Actions, PolicyChangeAnswer {

    static CheckinResponse nothing() {
        return new Actions("", List.of());
    }

    static CheckinResponse of(@Nullable String ackToken, List<ObjectNode> actions) {
        return new Actions(ackToken, actions);
    }

    /** The body as sent: gzip-compressed when {@code compression} is given and says this JSON is worth it. */
    Body encode(@Nullable ResponseCompression compression);

    /** A response body and whether it is gzip-compressed. */
    record Body(byte[] bytes, boolean gzipped) {}

    /** An answer serialized on its own: actions, or nothing. */
    record Actions(@Nullable String ackToken, List<ObjectNode> actions) implements CheckinResponse {

        private static final JsonMapper JSON = JsonMapper.builder().build();

        /** A POLICY_CHANGE answer rendered for one agent (no action document is delivered: the token is empty). */
        static Actions policyChange(ObjectNode action) {
            return new Actions("", List.of(action));
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

        @Override
        public Body encode(@Nullable ResponseCompression compression) {
            byte[] json = toJson();
            if (compression != null && compression.applies(json.length)) {
                return new Body(compression.gzip(json), true);
            }
            return new Body(json, false);
        }
    }
}
