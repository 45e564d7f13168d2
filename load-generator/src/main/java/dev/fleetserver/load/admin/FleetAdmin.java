package dev.fleetserver.load.admin;

import java.util.List;

/**
 * What Kibana (or an operator) does to the fleet during a benchmark: policies, enrollment tokens, actions, and the
 * reads that tell whether the server stored what agents sent. Implemented by writing the {@code .fleet-*}
 * documents into Elasticsearch as Kibana does ({@link ElasticsearchFleetAdmin}), or through the server's management
 * API, Kibana's Fleet API on the server's own listener ({@link ManagementFleetAdmin}), which also drives the
 * embedded store.
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

    /**
     * The type of action this admin queues for a benchmark: one agents acknowledge as soon as they receive it. The
     * Elasticsearch admin writes an INPUT_ACTION (acks batched, as for osquery); Kibana's API creates none such, so
     * the management admin uses SETTINGS for one agent ({@code POST /agents/{id}/actions}) and REQUEST_DIAGNOSTICS
     * for several ({@code POST /agents/bulk_request_diagnostics}, one action document for all of them).
     */
    String benchmarkActionType(int agents);

    /** Queues an action of {@code type} for the agents; returns its {@code action_id}. */
    String createAction(String type, List<String> agentIds);

    /** How many agents' results of the action are stored ({@code .fleet-actions-results} or equivalent). */
    long actionResults(String actionId);

    /**
     * Active agents that share an {@code enrollment_id} with another active agent (duplicates). An admin that cannot
     * read enrollment ids counts active agents beyond {@code activeBefore} (the count before the run's enrollments)
     * plus {@code enrolled} (the run's agents, one per distinct enrollment id).
     */
    long duplicateEnrollments(long activeBefore, long enrolled);

    /** Active agents enrolled in the fleet. */
    long activeAgents();

    @Override
    void close();
}
