package dev.fleetserver.management.agents;

import dev.fleetserver.agent.Agent;
import dev.fleetserver.management.ManagementException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kibana's rules for upgrading an agent (its upgrade handler and {@code is_agent_upgradeable}), with this
 * server's version where Kibana uses its own and the newest available agent version.
 */
final class AgentUpgrades {

    private final SemanticVersion serverVersion;

    AgentUpgrades(SemanticVersion serverVersion) {
        this.serverVersion = serverVersion;
    }

    /** Kibana's version checks, against this server's version (the newest agents may run). */
    void checkAgainstServer(SemanticVersion target, boolean force) {
        if (!force
                && target.isAfter(serverVersion)
                && !(target.major() == serverVersion.major() && target.minor() == serverVersion.minor())) {
            throw ManagementException.invalid("Cannot upgrade agent to " + target
                    + " because it is higher than the latest fleet server version " + serverVersion);
        }
        boolean majorMinorOk = serverVersion.major() > target.major()
                || (serverVersion.major() == target.major() && serverVersion.minor() >= target.minor());
        if (force && !majorMinorOk) {
            throw ManagementException.invalid("Cannot force upgrade agent to " + target
                    + " because it does not satisfy the major and minor of the latest fleet server version "
                    + serverVersion);
        }
    }

    static boolean isUpgrading(ObjectNode agent) {
        if (agent.path("upgrade_details").isObject()) {
            String state = agent.path("upgrade_details").path("state").asString("");
            return !state.equals("UPG_FAILED") && !state.equals("UPG_ROLLBACK");
        }
        return present(agent, "upgrade_started_at") && !present(agent, "upgraded_at");
    }

    /** Kibana's reasons an agent cannot be upgraded to the version, or null when it can. */
    static @Nullable String notUpgradeable(ObjectNode agent, SemanticVersion target) {
        JsonNode elastic = agent.path("local_metadata").path("elastic").path("agent");
        if (!elastic.path("version").isString()) {
            return "agent version is missing.";
        }
        if (!elastic.path("upgradeable").asBoolean(false)) {
            return "agent cannot be upgraded through Fleet. It may be running in a container or it is not installed"
                    + " as a service.";
        }
        if (isUpgrading(agent)) {
            return "agent is already being upgraded.";
        }
        SemanticVersion current = SemanticVersion.coerce(elastic.path("version").asString());
        if (current == null) {
            return "agent version is not valid.";
        }
        if (current.compareTo(target) == 0) {
            return "agent is already running on the selected version.";
        }
        if (target.compareTo(current) < 0) {
            return "agent does not support downgrades.";
        }
        return null;
    }

    /** Kibana's "upgrade available": upgradeable, not busy, and older than the newest version (this server's). */
    boolean isUpgradeAvailable(Agent agent) {
        ObjectNode source = agent.source();
        JsonNode elastic = source.path("local_metadata").path("elastic").path("agent");
        SemanticVersion current = SemanticVersion.coerce(elastic.path("version").asString(null));
        return current != null
                && elastic.path("upgradeable").asBoolean(false)
                && !present(source, "unenrollment_started_at")
                && !present(source, "unenrolled_at")
                && !isUpgrading(source)
                && current.compareTo(serverVersion) < 0;
    }

    private static boolean present(ObjectNode agent, String field) {
        JsonNode value = agent.get(field);
        return value != null && !value.isNull();
    }
}
