package dev.fleetserver.policy;

import dev.fleetserver.limits.Pacer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Knows the latest revision of every policy an agent asked about, and hands newer revisions to the checkins
 * waiting for them (algorithms §2). A checkin subscribes with the revision its agent runs; when a newer one
 * exists or arrives, the subscription is queued and served in order at the {@code policy_limit} pace, always
 * with the revision that is newest at its turn. Each revision is prepared once for all agents.
 */
public final class PolicyMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PolicyMonitor.class);
    /** Elastic Cloud's own policy jumps the queue, as upstream does. */
    private static final String PRIORITY_POLICY = "policy-elastic-agent-on-cloud";

    private final PolicyStore store;
    private final PolicyPreparer preparer;
    private final Pacer pacer;
    private final Map<String, PolicyState> policies = new ConcurrentHashMap<>();
    private final BlockingDeque<Subscription> pending = new LinkedBlockingDeque<>();
    private volatile @Nullable Thread dispatcher;
    private volatile boolean running;

    public PolicyMonitor(PolicyStore store, PolicyPreparer preparer, Pacer pacer) {
        this.store = store;
        this.preparer = preparer;
        this.pacer = pacer;
    }

    /**
     * Subscribes a waiting checkin. {@code onPolicy} is called at most once, from the dispatch thread, with a
     * revision newer than {@code revision}; close the subscription when the checkin ends.
     */
    public Subscription subscribe(String policyId, long revision, Consumer<PreparedPolicy> onPolicy) {
        if (revision < 0) {
            throw new IllegalArgumentException("negative policy revision " + revision);
        }
        PolicyState state = state(policyId);
        Subscription subscription = new Subscription(state, revision, onPolicy);
        PreparedPolicy latest = state.latest;
        if (latest != null && latest.revisionIdx() > revision) {
            enqueue(subscription);
        } else {
            state.waiting.add(subscription);
            // A revision may have arrived between reading latest and joining the waiting set.
            PreparedPolicy now = state.latest;
            if (now != null && now.revisionIdx() > revision && state.waiting.remove(subscription)) {
                enqueue(subscription);
            }
        }
        return subscription;
    }

    /** The latest revision of a policy, loading it when unknown. */
    public Optional<PreparedPolicy> latest(String policyId) {
        return Optional.ofNullable(state(policyId).latest);
    }

    /** Called by the policy feed with new revision documents. */
    public void onNewRevisions(List<PolicyDocument> documents) {
        Map<String, PolicyDocument> newest = new java.util.HashMap<>();
        for (PolicyDocument document : documents) {
            newest.merge(document.policyId(), document, (a, b) -> a.revisionIdx() >= b.revisionIdx() ? a : b);
        }
        for (PolicyDocument document : newest.values()) {
            PolicyState state = policies.get(document.policyId());
            if (state == null) {
                continue; // nobody asked for this policy yet; it is loaded when someone does
            }
            if (state.offer(document)) {
                log.info("Policy {} revision {} is available", document.policyId(), document.revisionIdx());
                for (Subscription subscription : state.waiting) {
                    if (subscription.revision < document.revisionIdx() && state.waiting.remove(subscription)) {
                        enqueue(subscription);
                    }
                }
            }
        }
    }

    private PolicyState state(String policyId) {
        PolicyState state = policies.computeIfAbsent(policyId, PolicyState::new);
        state.loadIfNeeded();
        return state;
    }

    private void enqueue(Subscription subscription) {
        if (PRIORITY_POLICY.equals(subscription.state.policyId)) {
            pending.addFirst(subscription);
        } else {
            pending.addLast(subscription);
        }
    }

    private void dispatch() {
        while (running) {
            try {
                Subscription subscription = pending.take();
                if (subscription.closed.get()) {
                    continue;
                }
                pacer.acquire();
                PreparedPolicy latest = subscription.state.latest;
                if (latest != null && latest.revisionIdx() > subscription.revision) {
                    subscription.deliver(latest);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("Delivering a policy failed: {}", e.getMessage(), e);
            }
        }
    }

    @Override
    public void start() {
        running = true;
        dispatcher = Thread.ofPlatform().daemon().name("fleet-policy-dispatch").start(this::dispatch);
    }

    @Override
    public void stop() {
        running = false;
        Thread thread = dispatcher;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Everything known about one policy: its newest prepared revision and who waits for a newer one. */
    private final class PolicyState {
        private final String policyId;
        private final Set<Subscription> waiting = ConcurrentHashMap.newKeySet();
        private volatile @Nullable PreparedPolicy latest;
        private volatile boolean loaded;

        PolicyState(String policyId) {
            this.policyId = policyId;
        }

        void loadIfNeeded() {
            if (loaded) {
                return;
            }
            synchronized (this) {
                if (!loaded) {
                    store.latest(policyId).ifPresent(this::offer);
                    loaded = true;
                }
            }
        }

        /** Takes a revision if it is newer than the one held; returns whether it did. */
        synchronized boolean offer(PolicyDocument document) {
            PreparedPolicy current = latest;
            if (current != null && current.revisionIdx() >= document.revisionIdx()) {
                return false;
            }
            latest = preparer.prepare(document);
            return true;
        }
    }

    /** A waiting checkin's interest in a newer revision of its policy. */
    public final class Subscription implements AutoCloseable {
        private final PolicyState state;
        private final long revision;
        private final Consumer<PreparedPolicy> onPolicy;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Subscription(PolicyState state, long revision, Consumer<PreparedPolicy> onPolicy) {
            this.state = state;
            this.revision = revision;
            this.onPolicy = onPolicy;
        }

        private void deliver(PreparedPolicy policy) {
            if (closed.compareAndSet(false, true)) {
                state.waiting.remove(this);
                onPolicy.accept(policy);
            }
        }

        @Override
        public void close() {
            closed.set(true);
            state.waiting.remove(this);
        }
    }
}
