package dev.fleetserver.action;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An action document ({@code .fleet-actions}, written by Kibana) and its position in the store.
 *
 * @param documentId the document's id: what an agent's {@code ack_token} names
 * @param seqNo its position ({@code _seq_no}); later documents have higher positions
 */
public record ActionDocument(String documentId, long seqNo, ObjectNode source) {

    public String actionId() {
        return source.path("action_id").asString("");
    }

    public String type() {
        return source.path("type").asString("");
    }

    public List<String> agents() {
        List<String> agents = new ArrayList<>();
        for (JsonNode agent : source.path("agents")) {
            agents.add(agent.asString());
        }
        return agents;
    }
}
