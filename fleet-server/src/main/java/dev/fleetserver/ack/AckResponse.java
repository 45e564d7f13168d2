package dev.fleetserver.ack;

import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ack answer (agent-api §11.6): always {@code "action":"acks"}, one item per event in order, {@code errors}
 * only when some item failed; the HTTP status is the highest item status (Quirk Q13).
 */
record AckResponse(List<Item> items) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Item(int status, String message) {}

    int httpStatus() {
        return items.stream().mapToInt(Item::status).max().orElse(200);
    }

    byte[] toJson() {
        ObjectNode body = JSON.createObjectNode();
        body.put("action", "acks");
        if (items.stream().anyMatch(item -> item.status() != 200)) {
            body.put("errors", true);
        }
        if (!items.isEmpty()) {
            var list = body.putArray("items");
            items.forEach(item -> list.addObject().put("status", item.status()).put("message", item.message()));
        }
        return JSON.writeValueAsBytes(body);
    }
}
