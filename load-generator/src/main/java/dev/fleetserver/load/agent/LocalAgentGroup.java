package dev.fleetserver.load.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Agents run in this process, each on its own virtual thread. */
public final class LocalAgentGroup implements AgentGroup {

    private final List<LoadAgent> agents = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private AgentContext context;

    @Override
    public synchronized void start(AgentSpec spec, int firstIndex, int count, List<AgentCredentials> credentials) {
        if (context != null) {
            throw new IllegalStateException("already started");
        }
        context = new AgentContext(spec);
        for (int i = 0; i < count; i++) {
            AgentCredentials given = i < credentials.size() ? credentials.get(i) : null;
            long delay = spec.startRate() > 0 ? (long) (i * 1000 / spec.startRate()) : 0;
            LoadAgent agent = new LoadAgent(firstIndex + i, context, given, delay);
            agents.add(agent);
            threads.add(Thread.ofVirtual().name("agent-" + (firstIndex + i)).start(agent));
        }
    }

    @Override
    public synchronized Stats.GroupStatus status() {
        return context == null ? Stats.GroupStatus.empty() : context.stats.status(agents.size());
    }

    @Override
    public synchronized Stats.Snapshot stats() {
        return context == null ? Stats.Snapshot.empty() : context.stats.snapshot();
    }

    @Override
    public synchronized Deliveries.Delivery delivery(String actionId, long sinceMicros) {
        return context == null ? Deliveries.Delivery.none() : context.deliveries.delivery(actionId, sinceMicros);
    }

    @Override
    public synchronized List<AgentCredentials> credentials() {
        return agents.stream()
                .map(LoadAgent::credentials)
                .filter(Objects::nonNull)
                .toList();
    }

    @Override
    public synchronized void reconnectAll(long jitterMillis) {
        agents.forEach(agent -> agent.drop(jitterMillis));
    }

    @Override
    public AckBurst.Result ackBurst(double ratePerSecond, long durationMillis, int maxInFlight) {
        List<LoadAgent> snapshot;
        synchronized (this) {
            snapshot = List.copyOf(agents);
        }
        return AckBurst.run(snapshot, ratePerSecond, durationMillis, maxInFlight);
    }

    @Override
    public synchronized void close() {
        agents.forEach(LoadAgent::stop);
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
