package dev.fleetserver.checkin;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fleetserver.policy.PolicyRenderer;
import dev.fleetserver.policy.PreparedPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The templates POLICY_CHANGE answers are filled from, shared by every agent that gets the same revision with the
 * same outputs keyed (ADR 12): the revision is rendered, serialized and compressed once per key shape, and per
 * agent only its values are filled in.
 *
 * <p>Templates are cached by revision (the prepared instance the policy monitor holds) and key shape, bounded in
 * bytes, dropped after {@link #IDLE} without use, and released as soon as a newer revision of the same policy gets
 * its first template. Concurrent first deliveries of a revision wait for one rendering instead of each doing it.
 */
final class PolicyChangeTemplates {

    /** Far more than the latest revisions of a few hundred ~50 KB policies in a few key shapes need. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    /** A rollout is over in seconds; an agent that comes back much later gets a fresh rendering. */
    static final Duration IDLE = Duration.ofMinutes(10);

    private final ResponseCompression compression;
    private final AsyncCache<Key, Built> templates;

    PolicyChangeTemplates(ResponseCompression compression) {
        this.compression = compression;
        this.templates = Caffeine.newBuilder()
                .maximumWeight(MAX_BYTES)
                .<Key, Built>weigher((key, built) -> built.retainedBytes())
                .expireAfterAccess(IDLE)
                .buildAsync();
    }

    /**
     * The answer for {@code agentId} holding {@code apiKeys} ({@code "<id>:<key>"} per output name, in the
     * policy's output order).
     *
     * @param ownClusterOutputs as {@link PolicyRenderer#ownClusterOutputs} (the same for every agent)
     */
    PolicyChangeAnswer answer(
            PreparedPolicy policy, String agentId, Map<String, String> apiKeys, Set<String> ownClusterOutputs) {
        return template(policy, List.copyOf(apiKeys.keySet()), ownClusterOutputs)
                .fill(agentId, List.copyOf(apiKeys.values()));
    }

    /** The template of {@code policy} for agents with keys for exactly {@code keyedOutputs}, built at most once. */
    PolicyChangeTemplate template(PreparedPolicy policy, List<String> keyedOutputs, Set<String> ownClusterOutputs) {
        Key key = new Key(policy, keyedOutputs);
        CompletableFuture<Built> mine = new CompletableFuture<>();
        CompletableFuture<Built> existing = templates.asMap().putIfAbsent(key, mine);
        if (existing != null) {
            return existing.join().templateOrThrow();
        }
        releaseSuperseded(policy);
        Built built;
        try {
            built = new Built(PolicyChangeTemplate.build(policy, keyedOutputs, ownClusterOutputs, compression), null);
        } catch (RuntimeException e) {
            built = new Built(null, e);
            templates.asMap().remove(key, mine); // not kept: the next agent tries again
        }
        mine.complete(built);
        return built.templateOrThrow();
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

    /**
     * A rendering's outcome. A failure completes the future normally, so the agents waiting for it get the same
     * exception, and is removed at once (a failed future would have the cache log a stack trace per agent).
     */
    private record Built(
            @Nullable PolicyChangeTemplate template,
            @Nullable RuntimeException failure) {
        PolicyChangeTemplate templateOrThrow() {
            if (template == null) {
                throw Objects.requireNonNull(failure);
            }
            return template;
        }

        int retainedBytes() {
            return template == null ? 0 : template.retainedBytes();
        }
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
