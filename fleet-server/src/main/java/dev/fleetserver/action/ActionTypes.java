package dev.fleetserver.action;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The action types that reach agents (agent-api §10.6.3). Everything else Kibana writes to {@code .fleet-actions}
 * ({@code POLICY_CHANGE}, {@code UPDATE_TAGS}, {@code FORCE_UNENROLL}, ...) is UI bookkeeping; POLICY_CHANGE in
 * particular is always synthesized from the policy instead.
 */
public final class ActionTypes {

    private static final Set<String> DELIVERED = Set.of(
            "UPGRADE",
            "UNENROLL",
            "POLICY_REASSIGN",
            "SETTINGS",
            "INPUT_ACTION",
            "CANCEL",
            "REQUEST_DIAGNOSTICS",
            "MIGRATE",
            "PRIVILEGE_LEVEL_CHANGE");

    private ActionTypes() {}

    /** Whether an action of this type is sent to agents; a missing type is not. */
    public static boolean isDelivered(@Nullable String type) {
        return type != null && DELIVERED.contains(type);
    }
}
