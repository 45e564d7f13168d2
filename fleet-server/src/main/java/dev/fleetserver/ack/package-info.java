/**
 * Acknowledgements ({@code POST /api/fleet/agents/{id}/acks}): action results, policy revisions the agent runs,
 * upgrades and unenrollment.
 */
@NullMarked
package dev.fleetserver.ack;

import org.jspecify.annotations.NullMarked;
