package dev.fleetserver.load.admin;

import java.util.List;

/**
 * What Kibana (or an operator) does to the fleet during a benchmark: policies, enrollment tokens, actions, and the
 * reads that tell whether the server stored what agents sent. Implemented by writing the {@code .fleet-*}
 * documents into Elasticsearch as Kibana does ({@link ElasticsearchFleetAdmin}); the server's management API
 * (Kibana's Fleet API shapes on {@code 127.0.0.1:8222}, {@code Authorization: ApiKey base64(id:key)}) is the other
 * implementation to come, for the embedded store.
 */
public interface FleetAdmin extends AutoCloseable {

    /** Waits until the store is ready for writes (the server has created what it creates at start). */
    void awaitReady(long timeoutMillis);

    /**
     * Creates revision 1 of the policy unless it exists: one log input plus {@code extraInputs} metrics inputs of
     * five streams each (about 1 KiB of JSON apiece), so that the policy has the size of a real one.
     */
    void ensurePolicy(String policyId, int extraInputs);

    /**
     * Publishes the next revision of the policy and returns its number. Without {@code permissionChange} only an
     * input's settings change; with it the output's permissions change, so every agent's output API key must be
     * updated before the revision reaches it.
     */
    long newRevision(String policyId, boolean permissionChange);

    /** A new enrollment token (the encoded {@code base64(id:secret)} agents present) for the policy. */
    String createEnrollmentToken(String policyId);

    /** Queues an action of {@code type} for the agents; returns its {@code action_id}. */
    String createAction(String type, List<String> agentIds);

    /** How many agents' results of the action are stored ({@code .fleet-actions-results} or equivalent). */
    long actionResults(String actionId);

    /** Active agents that share an {@code enrollment_id} with another active agent (duplicates). */
    long duplicateEnrollments();

    /** Active agents enrolled in the fleet. */
    long activeAgents();

    @Override
    void close();
}
