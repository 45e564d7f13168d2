package dev.fleetserver.enrollment;

/** A static policy token names a policy that does not exist: 400 {@code ErrPolicyNotFound}. */
public final class PolicyNotFoundException extends RuntimeException {
    public PolicyNotFoundException() {
        super("ErrPolicyNotFound");
    }
}
