/**
 * Agent policies and their enrollment keys through the management API ({@code /api/fleet/agent_policies}, {@code
 * /api/fleet/enrollment_api_keys}). Each policy create or update appends a revision document through {@link
 * dev.fleetserver.policy.PolicyStore}, holding the policy as agents receive it ({@code data}) and, in fields of
 * ours, the policy's own attributes and the content the operator gave. An enrollment key is an API key of the
 * store plus its record, as Kibana makes them.
 */
@NullMarked
package dev.fleetserver.management.policies;

import org.jspecify.annotations.NullMarked;
