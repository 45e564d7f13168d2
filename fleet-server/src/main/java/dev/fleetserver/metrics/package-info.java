/**
 * Metrics: upstream's route and connection counters under their exact names, labelled Micrometer series
 * (latency by route and status, requests in flight), and the monitoring listener that serves them with
 * {@code /stats} and the probes.
 */
@NullMarked
package dev.fleetserver.metrics;

import org.jspecify.annotations.NullMarked;
