/**
 * Actions Kibana writes to {@code .fleet-actions} and how they reach agents: the ports that read them, which
 * types are delivered, the per-type shape of {@code data} on the wire, and the per-agent rollout of
 * {@code start_time}.
 */
@NullMarked
package dev.fleetserver.action;

import org.jspecify.annotations.NullMarked;
