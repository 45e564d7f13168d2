package dev.fleetserver.load.agent;

import java.util.List;

/**
 * How a group of simulated agents behaves; the same for every group of a run and sent as JSON to worker
 * processes.
 *
 * @param server the agent listener, {@code host:port}
 * @param sourceAddresses local addresses the agents' connections are bound to, round-robin by agent index
 *     (each address has its own ~28k ephemeral ports)
 * @param version the agent version sent in {@code User-Agent} and {@code local_metadata}
 * @param enrollmentToken used by agents that have no credentials yet
 * @param startRate agents started per second in this group (enrollment or first checkin); 0 = all at once
 * @param enrollConcurrency enrollments in flight at most in this group; 0 = no cap
 * @param enrollmentId send an {@code enrollment_id} (idempotent retries, agent-api §9.4)
 * @param enrollRetryFraction share of enrollments sent twice with the same body, as a client that lost the
 *     first answer does
 * @param checkin whether agents check in after enrolling (false for enrollment benchmarks)
 * @param backoffScale 1 = the agent's real backoff (checkin failures wait 60–120 s, then longer); smaller
 *     values shorten every backoff window in proportion
 * @param requestTimeoutMillis the whole-request timeout, 10 minutes in the agent
 */
public record AgentSpec(
        String server,
        List<String> sourceAddresses,
        String version,
        String enrollmentToken,
        double startRate,
        int enrollConcurrency,
        boolean enrollmentId,
        double enrollRetryFraction,
        boolean checkin,
        double backoffScale,
        long requestTimeoutMillis) {

    public AgentSpec {
        sourceAddresses = List.copyOf(sourceAddresses);
        if (sourceAddresses.isEmpty()) {
            throw new IllegalArgumentException("at least one source address is needed");
        }
    }
}
