/**
 * Enrollment of agents ({@code POST /api/fleet/agents/enroll}): enrollment tokens, access keys, the new agent
 * document, and replacement of an agent by its replace token. Uses the agent, auth and apikey features.
 */
@NullMarked
package dev.fleetserver.enrollment;

import org.jspecify.annotations.NullMarked;
