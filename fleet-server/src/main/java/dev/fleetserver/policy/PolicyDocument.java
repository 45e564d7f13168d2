package dev.fleetserver.policy;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One revision of an agent policy ({@code .fleet-policies}, one document per revision, written by Kibana).
 *
 * @param timestamp the revision's {@code @timestamp}: the POLICY_CHANGE's {@code created_at}
 * @param data the policy as agents run it
 */
public record PolicyDocument(
        String policyId, long revisionIdx, @Nullable String timestamp, ObjectNode data) {}
