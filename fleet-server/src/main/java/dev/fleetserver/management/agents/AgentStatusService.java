package dev.fleetserver.management.agents;

import dev.fleetserver.agent.AgentStatus;
import dev.fleetserver.management.Kuery;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Agents counted by status, as {@code GET /api/fleet/agent_status} answers: Kibana's twelve keys, which fold the
 * eleven statuses together ({@code error} includes {@code degraded}; {@code updating} includes {@code enrolling}
 * and {@code unenrolling}), over every agent, unenrolled ones included.
 */
public final class AgentStatusService {

    private final FleetAgents fleet;

    AgentStatusService(FleetAgents fleet) {
        this.fleet = fleet;
    }

    /**
     * @param policyIds only agents of these policies ({@code policy_id}, or {@code policy_base_id}); empty = all
     */
    public ObjectNode summary(List<String> policyIds, Kuery kuery) {
        Map<AgentStatus, Long> counts = new EnumMap<>(AgentStatus.class);
        for (AgentStatus status : AgentStatus.values()) {
            counts.put(status, 0L);
        }
        fleet.scan().stream()
                .filter(s -> policyIds.isEmpty()
                        || policyIds.contains(s.agent().policyId())
                        || policyIds.contains(
                                s.agent().source().path("policy_base_id").asString(null)))
                .filter(s -> kuery.matches(AgentManagementService.fields(s)))
                .forEach(s -> counts.merge(s.status(), 1L, Long::sum));
        return results(counts);
    }

    /** Kibana's {@code agentStatusesToSummary}: the folded keys, {@code all}, {@code active}, and two zeros. */
    static ObjectNode results(Map<AgentStatus, Long> counts) {
        long all = counts.values().stream().mapToLong(Long::longValue).sum();
        ObjectNode results = JsonNodeFactory.instance.objectNode();
        results.put("online", counts.get(AgentStatus.ONLINE));
        results.put("error", counts.get(AgentStatus.ERROR) + counts.get(AgentStatus.DEGRADED));
        results.put("offline", counts.get(AgentStatus.OFFLINE));
        results.put(
                "updating",
                counts.get(AgentStatus.UPDATING)
                        + counts.get(AgentStatus.ENROLLING)
                        + counts.get(AgentStatus.UNENROLLING));
        results.put("inactive", counts.get(AgentStatus.INACTIVE));
        results.put("unenrolled", counts.get(AgentStatus.UNENROLLED));
        results.put("orphaned", counts.get(AgentStatus.ORPHANED));
        results.put("uninstalled", counts.get(AgentStatus.UNINSTALLED));
        results.put("all", all);
        results.put("active", all - counts.get(AgentStatus.UNENROLLED) - counts.get(AgentStatus.INACTIVE));
        results.put("other", 0);
        results.put("events", 0);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("results", results);
        return body;
    }
}
