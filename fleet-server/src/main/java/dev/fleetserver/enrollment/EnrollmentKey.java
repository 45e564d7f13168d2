package dev.fleetserver.enrollment;

import java.util.List;

/**
 * An enrollment API key record ({@code .fleet-enrollment-api-keys}, written by Kibana): which policy a new
 * agent joins and in which namespaces.
 */
public record EnrollmentKey(String apiKeyId, String policyId, List<String> namespaces) {}
