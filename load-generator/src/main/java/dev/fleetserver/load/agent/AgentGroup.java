package dev.fleetserver.load.agent;

import java.util.List;

/**
 * A share of the simulated agents: run in this process ({@link LocalAgentGroup}) or in a worker process
 * ({@link WorkerProcessGroup}), which is how one run gets past the per-process open-file limit.
 */
public interface AgentGroup extends AutoCloseable {

    /**
     * Starts {@code count} agents numbered from {@code firstIndex}: those with {@code credentials} (by position)
     * check in at once, the rest enroll with the spec's token. Returns without waiting.
     */
    void start(AgentSpec spec, int firstIndex, int count, List<AgentCredentials> credentials);

    Stats.GroupStatus status();

    Stats.Snapshot stats();

    /** Receipts of one action (or {@code policy:<id>:<rev>}), latencies measured from {@code sinceMicros}. */
    Deliveries.Delivery delivery(String actionId, long sinceMicros);

    /** The agents that have enrolled (or were given), for targeting actions and for an agents file. */
    List<AgentCredentials> credentials();

    /** Every agent drops its connection now and reconnects after a random delay below {@code jitterMillis}. */
    void reconnectAll(long jitterMillis);

    /**
     * Sends acks again (each agent re-acknowledging its last acknowledged action) at {@code ratePerSecond} for
     * {@code durationMillis}, with at most {@code maxInFlight} outstanding; returns when done.
     */
    AckBurst.Result ackBurst(double ratePerSecond, long durationMillis, int maxInFlight);

    @Override
    void close();
}
