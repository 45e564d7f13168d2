package dev.fleetserver.apikey;

import java.util.Optional;

/**
 * Port: the Elasticsearch cluster that holds the fleet, when there is one. Agents' keys for a policy's
 * {@code elasticsearch} outputs are made there. On the embedded store there is none: an {@code elasticsearch}
 * output that carries a {@code service_token} then gets its keys in its own cluster, like a
 * {@code remote_elasticsearch} output, and one without is delivered with the credentials the policy gives it.
 */
public interface FleetCluster {

    /** The API keys of the fleet's Elasticsearch, or empty when the fleet is not kept in Elasticsearch. */
    Optional<ApiKeys> apiKeys();
}
