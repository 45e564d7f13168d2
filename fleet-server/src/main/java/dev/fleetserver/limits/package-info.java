/**
 * Request limits of the agent listener (config-and-ops §4, §5): the limit tiers and how the configured values
 * merge over them, the hard TCP cap and the in-flight cap of {@code max_connections}, the per-route token
 * buckets and concurrency caps, size-capped request bodies, and the pacers used to hand out actions and
 * policies. Depends on {@code config}, {@code metrics} and {@code web}; {@code web} never depends on it.
 */
@NullMarked
package dev.fleetserver.limits;

import org.jspecify.annotations.NullMarked;
