package dev.fleetserver.policy;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A policy revision prepared once for every agent (algorithms §9.1): secrets substituted, only the keys agents
 * receive, the permissions of each output with their hash. Per agent only the output API keys are added.
 *
 * @param deliverable the policy as delivered, minus API keys; never modified (copy it)
 * @param permissions role descriptors per output name, from {@code output_permissions}
 */
public record PreparedPolicy(
        String policyId,
        long revisionIdx,
        @Nullable String createdAt,
        ObjectNode deliverable,
        Map<String, OutputPermissions> permissions) {

    /** The role descriptors an output's API key must carry, and their hash (data-model §6). */
    public record OutputPermissions(ObjectNode roleDescriptors, String hash) {}
}
