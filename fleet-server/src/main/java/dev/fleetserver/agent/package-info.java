/**
 * Agents: the agent document as the server reads and edits it, the {@link dev.fleetserver.agent.AgentStore}
 * port, and the agent version policy. Depends on no other feature.
 */
@NullMarked
package dev.fleetserver.agent;

import org.jspecify.annotations.NullMarked;
