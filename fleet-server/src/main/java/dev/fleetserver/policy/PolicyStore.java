package dev.fleetserver.policy;

import java.util.Optional;

/** Port: policy revisions. */
public interface PolicyStore {

    /** The revision with the highest {@code revision_idx} of the policy, if it has any. */
    Optional<PolicyDocument> latest(String policyId);
}
