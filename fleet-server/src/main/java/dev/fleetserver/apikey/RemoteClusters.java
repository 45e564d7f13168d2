package dev.fleetserver.apikey;

import tools.jackson.databind.node.ObjectNode;

/**
 * Port: the API keys of the clusters that {@code remote_elasticsearch} outputs point to, each reached with the
 * output's own hosts and service token (algorithms §8.6).
 */
public interface RemoteClusters {

    /** API keys in the cluster this output configuration points to; a changed configuration gets a new client. */
    ApiKeys keysFor(String outputName, ObjectNode outputConfig);

    /** API keys in the cluster this output was last seen pointing to, if the server has seen it. */
    java.util.Optional<ApiKeys> lastKnown(String outputName);
}
