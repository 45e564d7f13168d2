package dev.fleetserver.policy;

/** The policy and revision an acknowledged {@code POLICY_CHANGE} action id names. */
public record PolicyAckId(String policyId, long revisionIdx) {}
