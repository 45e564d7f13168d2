package dev.fleetserver.enrollment;

import java.util.List;

/** Port: enrollment key records. */
public interface EnrollmentKeyStore {

    /** Active records whose API key has this id (exactly one is expected). */
    List<EnrollmentKey> findActive(String apiKeyId);

    /** Whether a policy with this id has at least one revision (for static policy tokens). */
    boolean policyExists(String policyId);
}
