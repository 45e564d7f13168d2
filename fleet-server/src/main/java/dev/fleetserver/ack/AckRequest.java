package dev.fleetserver.ack;

import dev.fleetserver.api.BadRequestException;
import dev.fleetserver.api.JsonFields;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The acks body (agent-api §11.1): events, each read on its own; a field that does not decode stays empty. */
record AckRequest(List<ObjectNode> events) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static AckRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequestException("unable to decode ack request", e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new BadRequestException("unable to decode ack request", "not a JSON object");
        }
        JsonNode list = new JsonFields("ack").array(root, "events");
        List<ObjectNode> events = new ArrayList<>();
        if (list != null) {
            for (JsonNode event : list) {
                if (!(event instanceof ObjectNode object)) {
                    throw new BadRequestException("unable to decode ack request", "json: an event is not an object");
                }
                events.add(object);
            }
        }
        return new AckRequest(List.copyOf(events));
    }
}
