package dev.fleetserver.management.agents;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.agent.AgentStatus;
import dev.fleetserver.management.Kuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /api/fleet/agents/bulk_request_diagnostics}, as Kibana does it: one REQUEST_DIAGNOSTICS action for
 * every selected agent that can answer it (enrolled, version 8.7.0 or later), expiring after three hours. Agents are
 * selected by id or by a kuery; ids of unknown or unenrolled agents are left out, as Kibana leaves them out.
 */
final class BulkDiagnostics {

    /** Kibana's {@code REQUEST_DIAGNOSTICS_TIMEOUT_MS}. */
    static final Duration LIFETIME = Duration.ofHours(3);

    /** The first agent version that uploads diagnostics on request. */
    private static final SemanticVersion SUPPORTED_SINCE = new SemanticVersion(8, 7, 0);

    private final FleetAgents fleet;
    private final KibanaActions actions;

    BulkDiagnostics(FleetAgents fleet, KibanaActions actions) {
        this.fleet = fleet;
        this.actions = actions;
    }

    /** For the agents with these ids; returns the action's id (new even when none was selected, as in Kibana). */
    String forAgents(List<String> ids, List<String> additionalMetrics) {
        Set<String> wanted = Set.copyOf(ids);
        return request(scanned -> wanted.contains(scanned.agent().id()), additionalMetrics);
    }

    /** For the agents the kuery matches. */
    String forKuery(Kuery kuery, List<String> additionalMetrics) {
        return request(scanned -> kuery.matches(AgentManagementService.fields(scanned)), additionalMetrics);
    }

    private String request(Predicate<FleetAgents.Scanned> selected, List<String> additionalMetrics) {
        List<String> targets = new ArrayList<>();
        Set<String> namespaces = new LinkedHashSet<>();
        for (FleetAgents.Scanned scanned : fleet.scan()) {
            if (scanned.status() == AgentStatus.UNENROLLED
                    || !supported(scanned.agent().agentVersion())) {
                continue;
            }
            if (selected.test(scanned)) {
                targets.add(scanned.agent().id());
                scanned.agent().source().path("namespaces").forEach(n -> namespaces.add(n.asString()));
            }
        }
        if (targets.isEmpty()) {
            return UUID.randomUUID().toString();
        }
        @Nullable ObjectNode data = null;
        if (!additionalMetrics.isEmpty()) {
            data = JsonNodeFactory.instance.objectNode();
            additionalMetrics.forEach(data.putArray("additional_metrics")::add);
        }
        ActionDocument created = actions.create(
                "REQUEST_DIAGNOSTICS",
                targets,
                data,
                null,
                namespaces.isEmpty() ? List.of("default") : List.copyOf(namespaces),
                LIFETIME);
        return created.actionId();
    }

    private static boolean supported(@Nullable String version) {
        SemanticVersion parsed = SemanticVersion.coerce(version);
        return parsed != null && parsed.compareTo(SUPPORTED_SINCE) >= 0;
    }
}
