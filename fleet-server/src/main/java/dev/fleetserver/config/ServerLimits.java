package dev.fleetserver.config;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code inputs[0].server.limits.*} as written in the file. A value left out (or 0) inherits from the limit
 * tier chosen by {@code max_agents}, as upstream merges them.
 *
 * @param maxAgents selects the tier: &gt;0 by agent count, 0 by available memory, &lt;0 built-in defaults
 * @param maxHeaderByteSize request header cap
 * @param maxConnections in-flight request cap per listener (429 above it) and, at 1.1×, a hard TCP cap
 */
public record ServerLimits(
        @DefaultValue("0") int maxAgents,
        @DefaultValue("8192") int maxHeaderByteSize,
        @DefaultValue("0") int maxConnections,
        @Nullable Long maxFileStorageSize,
        @DefaultValue RouteLimit checkinLimit,
        @DefaultValue RouteLimit enrollLimit,
        @DefaultValue RouteLimit ackLimit,
        @DefaultValue RouteLimit artifactLimit,
        @DefaultValue RouteLimit statusLimit,
        @DefaultValue RouteLimit opampLimit,
        @DefaultValue RouteLimit uploadStartLimit,
        @DefaultValue RouteLimit uploadChunkLimit,
        @DefaultValue RouteLimit uploadEndLimit,
        @DefaultValue RouteLimit fileDeliveryLimit,
        @DefaultValue RouteLimit pgpRetrievalLimit,
        @DefaultValue RouteLimit auditUnenrollLimit,
        @DefaultValue RouteLimit actionLimit,
        @DefaultValue RouteLimit policyLimit) {

    /**
     * One {@code <name>_limit} block. Every field is optional so that an unset value can inherit from the tier.
     *
     * @param interval token-bucket refill period (one request per interval); 0 disables rate limiting
     * @param burst bucket size
     * @param max concurrent in-flight requests on the route (a checkin holds its slot for the whole poll)
     * @param maxBodyByteSize request body cap
     * @param maxBodyDecompressed checkin only: body cap after gunzip
     */
    public record RouteLimit(
            @Nullable Duration interval,
            @Nullable Integer burst,
            @Nullable Integer max,
            @Nullable Long maxBodyByteSize,
            @Nullable Long maxBodyDecompressed) {}
}
