/**
 * Policies on their way to agents: each revision prepared once (secret substitution, the top-level keys that are
 * delivered, output permissions and their Go-compatible hash), then rendered per agent (output API keys in outputs
 * and OTel exporters) and wrapped in the {@code POLICY_CHANGE} action whose id acks are parsed from.
 */
@NullMarked
package dev.fleetserver.policy;

import org.jspecify.annotations.NullMarked;
