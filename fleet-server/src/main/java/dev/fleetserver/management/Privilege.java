package dev.fleetserver.management;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Kibana's Fleet API privileges, under Kibana's names. A {@code -all} privilege includes its {@code -read} one,
 * as a Kibana role with "All" on a Fleet sub-feature grants both.
 */
public enum Privilege {
    FLEET_AGENTS_READ,
    FLEET_AGENTS_ALL,
    FLEET_AGENT_POLICIES_READ,
    FLEET_AGENT_POLICIES_ALL,
    FLEET_SETTINGS_READ,
    FLEET_SETTINGS_ALL,
    FLEET_SETUP;

    /** Kibana's name, e.g. {@code fleet-agent-policies-all}. */
    public String kibanaName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * What a configured privilege name grants: a Kibana name (with its {@code -read} for an {@code -all}), or
     * the shorthands {@code all} (everything) and {@code read} (every {@code -read}).
     *
     * @throws IllegalArgumentException for an unknown name (the configuration check refuses those earlier)
     */
    public static Set<Privilege> granted(String configured) {
        return switch (configured) {
            case "all" -> EnumSet.allOf(Privilege.class);
            case "read" -> EnumSet.of(FLEET_AGENTS_READ, FLEET_AGENT_POLICIES_READ, FLEET_SETTINGS_READ);
            default -> {
                Privilege privilege =
                        valueOf(configured.toUpperCase(Locale.ROOT).replace('-', '_'));
                yield switch (privilege) {
                    case FLEET_AGENTS_ALL -> EnumSet.of(FLEET_AGENTS_ALL, FLEET_AGENTS_READ);
                    case FLEET_AGENT_POLICIES_ALL -> EnumSet.of(FLEET_AGENT_POLICIES_ALL, FLEET_AGENT_POLICIES_READ);
                    case FLEET_SETTINGS_ALL -> EnumSet.of(FLEET_SETTINGS_ALL, FLEET_SETTINGS_READ);
                    default -> EnumSet.of(privilege);
                };
            }
        };
    }
}
