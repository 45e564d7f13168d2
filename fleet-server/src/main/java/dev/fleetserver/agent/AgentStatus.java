package dev.fleetserver.agent;

import java.util.Locale;

/**
 * An agent's status as Fleet derives it (kibana-fleet-api §4.11), one of the eleven values Kibana's {@code status}
 * field takes; {@link AgentStatusRules} decides which.
 */
public enum AgentStatus {
    ONLINE,
    ERROR,
    INACTIVE,
    OFFLINE,
    UPDATING,
    UNENROLLED,
    DEGRADED,
    ENROLLING,
    UNENROLLING,
    ORPHANED,
    UNINSTALLED;

    /** The value on the wire, e.g. {@code online}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status for a wire name, or null when it names none. */
    public static @org.jspecify.annotations.Nullable AgentStatus fromWireName(String name) {
        for (AgentStatus status : values()) {
            if (status.wireName().equals(name)) {
                return status;
            }
        }
        return null;
    }
}
