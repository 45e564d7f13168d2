/**
 * Checkins ({@code POST /api/fleet/agents/{id}/checkin}): the long poll that delivers actions and policy
 * changes, and the batched writes of agents' reported state.
 */
@NullMarked
package dev.fleetserver.checkin;

import org.jspecify.annotations.NullMarked;
