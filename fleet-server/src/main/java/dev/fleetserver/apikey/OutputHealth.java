package dev.fleetserver.apikey;

/**
 * Port: reports whether the server could create keys in a remote output's cluster, for Kibana
 * ({@code logs-fleet_server.output_health-default}).
 */
public interface OutputHealth {

    void report(String outputName, boolean healthy, String message);
}
