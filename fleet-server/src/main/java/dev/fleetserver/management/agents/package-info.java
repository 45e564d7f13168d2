/**
 * Agents through the management API ({@code /api/fleet/agents...}, {@code /api/fleet/agent_status}): listing with
 * Fleet's derived status, tags, unenrollment, reassignment, upgrades and actions (written as Kibana writes them,
 * so agents receive them through checkin), action progress, and the status counts also published as metrics.
 */
@NullMarked
package dev.fleetserver.management.agents;

import org.jspecify.annotations.NullMarked;
