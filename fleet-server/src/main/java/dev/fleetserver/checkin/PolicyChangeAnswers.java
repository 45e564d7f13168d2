package dev.fleetserver.checkin;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.policy.PolicyRenderer;
import dev.fleetserver.policy.PreparedPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * POLICY_CHANGE answers from templates shared by every agent that gets the same revision with the same outputs
 * keyed (ADR 12). Per agent only its output keys are made sure of and its values filled in; the revision is
 * rendered, serialized and compressed once per key shape.
 *
 * <p>Templates are cached by revision (the prepared instance the policy monitor holds) and key shape, bounded in
 * bytes, dropped after {@link #IDLE} without use, and released as soon as a newer revision of the same policy gets
 * its first template. Concurrent first deliveries of a revision wait for one rendering instead of each doing it.
 */
final class PolicyChangeAnswers {

    /** Far more than the latest revisions of a few hundred ~50 KB policies in a few key shapes need. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    /** A rollout is over in seconds; an agent that comes back much later gets a fresh rendering. */
    static final Duration IDLE = Duration.ofMinutes(10);

    private final PolicyRenderer renderer;
    private final ResponseCompression compression;
    private final AsyncCache<Key, PolicyChangeTemplate> templates;

    PolicyChangeAnswers(PolicyRenderer renderer, ResponseCompression compression) {
        this.renderer = renderer;
        this.compression = compression;
        this.templates = Caffeine.newBuilder()
                .maximumWeight(MAX_BYTES)
                .<Key, PolicyChangeTemplate>weigher((key, template) -> template.retainedBytes())
                .expireAfterAccess(IDLE)
                .buildAsync();
    }

    /**
     * The agent's answer: its output keys made sure of (which may create or update keys), then filled into the
     * revision's shared template.
     */
    PolicyChangeAnswer answer(Agent agent, PreparedPolicy policy) {
        Map<String, String> keys = renderer.outputKeys(agent, policy);
        return template(policy, List.copyOf(keys.keySet())).fill(agent.id(), List.copyOf(keys.values()));
    }

    /** The template of {@code policy} for agents with keys for exactly {@code keyedOutputs}, built at most once. */
    PolicyChangeTemplate template(PreparedPolicy policy, List<String> keyedOutputs) {
        Key key = new Key(policy, keyedOutputs);
        CompletableFuture<PolicyChangeTemplate> mine = new CompletableFuture<>();
        CompletableFuture<PolicyChangeTemplate> existing = templates.asMap().putIfAbsent(key, mine);
        if (existing != null) {
            try {
                return existing.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        releaseSuperseded(policy);
        try {
            PolicyChangeTemplate template =
                    PolicyChangeTemplate.build(policy, keyedOutputs, renderer.ownClusterOutputs(policy), compression);
            mine.complete(template);
            return template;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e); // the cache drops a failed entry: the next agent tries again
            throw e;
        }
    }

    /** How many templates are held (for tests). */
    long size() {
        templates.synchronous().cleanUp();
        return templates.synchronous().estimatedSize();
    }

    /** Older revisions of the same policy are no longer delivered: their templates go. */
    private void releaseSuperseded(PreparedPolicy policy) {
        templates
                .asMap()
                .keySet()
                .removeIf(other -> other.policy != policy
                        && other.policy.policyId().equals(policy.policyId())
                        && other.policy.revisionIdx() <= policy.revisionIdx());
    }

    /** A revision by identity (the monitor prepares each once; comparing policy trees would cost a walk). */
    private record Key(PreparedPolicy policy, List<String> keyedOutputs) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && other.policy == policy && other.keyedOutputs.equals(keyedOutputs);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(policy) * 31 + keyedOutputs.hashCode();
        }
    }
}
