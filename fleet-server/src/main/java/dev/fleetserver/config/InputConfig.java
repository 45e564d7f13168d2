package dev.fleetserver.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code inputs[0]}: the single {@code fleet-server} input.
 *
 * @param type must be {@code fleet-server}
 * @param policy the Fleet Server policy this instance reports against (agent mode)
 * @param server the agent-facing API
 * @param cache in-memory caches (a sibling of {@code server}, not under it)
 * @param monitor the index monitors
 */
public record InputConfig(
        @DefaultValue("fleet-server") String type,
        @DefaultValue Policy policy,
        @DefaultValue ServerConfig server,
        @DefaultValue Cache cache,
        @DefaultValue Monitor monitor) {

    public static final String FLEET_SERVER_TYPE = "fleet-server";

    /** {@code inputs[0].policy.*}. */
    public record Policy(@Nullable String id) {}

    /**
     * {@code inputs[0].cache.*}.
     *
     * @param ttlApiKey how long a successful agent API-key check is trusted: the main defence against
     *     authentication load on Elasticsearch
     * @param jitterApiKey up to this much is taken off each API-key TTL, so a mass reconnect does not expire
     *     together
     */
    public record Cache(
            @Nullable Long numCounters,
            @Nullable Long maxCost,
            @DefaultValue("5m") Duration ttlAction,
            @DefaultValue("1m") Duration ttlEnrollKey,
            @DefaultValue("24h") Duration ttlArtifact,
            @DefaultValue("15m") Duration ttlApiKey,
            @DefaultValue("5m") Duration jitterApiKey) {}

    /**
     * {@code inputs[0].monitor.*}.
     *
     * @param pollInterval our addition: how often a monitor reads the index's global checkpoint when
     *     Elasticsearch has no fleet plugin to wait on; it bounds how fast a change reaches agents
     */
    public record Monitor(
            @DefaultValue("1000") int fetchSize,
            @DefaultValue("4m") Duration pollTimeout,
            @DefaultValue("1s") Duration policyDebounceTime,
            @DefaultValue("1s") Duration pollInterval) {}
}
