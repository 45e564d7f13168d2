package dev.fleetserver.apikey;

import java.time.Instant;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Port: reports whether the server could create keys in a remote output's cluster, for Kibana
 * ({@code logs-fleet_server.output_health-default}).
 */
public interface OutputHealth {

    void report(String outputName, boolean healthy, String message);

    /** The report as stored (data-model §5.10). */
    static ObjectNode document(String outputName, boolean healthy, String message, Instant at) {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        document.put("@timestamp", at.toString());
        document.put("output", outputName);
        document.put("state", healthy ? "HEALTHY" : "DEGRADED");
        document.put("message", message);
        document.putObject("data_stream")
                .put("type", "logs")
                .put("dataset", "fleet_server.output_health")
                .put("namespace", "default");
        return document;
    }
}
