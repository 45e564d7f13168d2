package dev.fleetserver.management.agents;

import dev.fleetserver.action.ActionDocument;
import dev.fleetserver.agent.Agent;
import dev.fleetserver.agent.AgentStatus;
import dev.fleetserver.agent.AgentStore;
import dev.fleetserver.apikey.ApiKeys;
import dev.fleetserver.management.KeyInvalidation;
import dev.fleetserver.management.Kuery;
import dev.fleetserver.management.ManagementException;
import dev.fleetserver.management.Paging;
import dev.fleetserver.management.Timestamps;
import dev.fleetserver.management.policies.AgentPolicy;
import dev.fleetserver.management.policies.AgentPolicyService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Kibana's Fleet does to agents, done the same way on the store: it writes the agent fields Kibana writes and
 * the actions agents then receive through checkin (UNENROLL, POLICY_REASSIGN, UPGRADE, SETTINGS). Listings and
 * filters use the status derived in Java ({@link dev.fleetserver.agent.AgentStatusRules}).
 */
public final class AgentManagementService {

    private static final Logger log = LoggerFactory.getLogger(AgentManagementService.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Kibana refuses deeper paging than this. */
    private static final int MAX_WINDOW = 10_000;

    private final FleetAgents fleet;
    private final AgentStore agents;
    private final AgentPolicyService policies;
    private final ApiKeys apiKeys;
    private final KibanaActions actions;
    private final AgentUpgrades upgrades;
    private final Clock clock;

    AgentManagementService(
            FleetAgents fleet,
            AgentStore agents,
            AgentPolicyService policies,
            ApiKeys apiKeys,
            KibanaActions actions,
            String serverVersion,
            Clock clock) {
        this.fleet = fleet;
        this.agents = agents;
        this.policies = policies;
        this.apiKeys = apiKeys;
        this.actions = actions;
        this.upgrades = new AgentUpgrades(java.util.Objects.requireNonNull(SemanticVersion.coerce(serverVersion)));
        this.clock = clock;
    }

    /**
     * What {@code GET /api/fleet/agents} lists.
     *
     * @param kueryText the raw query: unenrolled agents are listed only when it names {@code status:*} or {@code
     *     status:unenrolled}, as in Kibana
     */
    public record ListRequest(
            Paging paging,
            Kuery kuery,
            @Nullable String kueryText,
            boolean showInactive,
            boolean showUpgradeable,
            boolean statusSummary,
            String sortField,
            boolean ascending) {}

    public ObjectNode list(ListRequest request) {
        if ((long) request.paging().page() * request.paging().perPage() > MAX_WINDOW) {
            throw ManagementException.invalid("You cannot use page and perPage page over 10000 agents");
        }
        boolean withUnenrolled = Kuery.mentionsUnenrolled(request.kueryText());
        List<FleetAgents.Scanned> matching = fleet.scan().stream()
                .filter(s -> withUnenrolled || s.status() != AgentStatus.UNENROLLED)
                .filter(s -> request.showInactive() || s.status() != AgentStatus.INACTIVE)
                .filter(s -> request.kuery().matches(fields(s)))
                .filter(s -> !request.showUpgradeable() || upgrades.isUpgradeAvailable(s.agent()))
                .sorted(order(request.sortField(), request.ascending()))
                .toList();
        List<JsonNode> page = request.paging().slice(matching).stream()
                .map(s -> (JsonNode) AgentView.of(s.agent(), s.status()))
                .toList();
        ObjectNode body = request.paging().envelope(page, matching.size());
        if (request.statusSummary()) {
            Map<AgentStatus, Long> counts = new EnumMap<>(AgentStatus.class);
            for (AgentStatus status : AgentStatus.values()) {
                counts.put(status, 0L);
            }
            matching.forEach(s -> counts.merge(s.status(), 1L, Long::sum));
            ObjectNode summary = body.putObject("statusSummary");
            counts.forEach((status, count) -> summary.put(status.wireName(), count));
        }
        return body;
    }

    public ObjectNode get(String id) {
        Agent agent = require(id);
        return AgentView.of(agent, fleet.rules().statusOf(agent, fleet.now()));
    }

    /** {@code PUT /agents/{id}}: tags (de-duplicated, order kept) and user-provided metadata. */
    public ObjectNode update(String id, @Nullable JsonNode tags, @Nullable JsonNode userProvidedMetadata) {
        require(id);
        ObjectNode fields = NODES.objectNode();
        if (tags != null) {
            Set<String> unique = new LinkedHashSet<>();
            tags.forEach(tag -> unique.add(tag.asString()));
            unique.forEach(fields.putArray("tags")::add);
        }
        if (userProvidedMetadata != null) {
            fields.set("user_provided_metadata", userProvidedMetadata);
        }
        fields.put("updated_at", now());
        if (!agents.update(id, fields)) {
            throw agentNotFound(id);
        }
        return get(id);
    }

    /**
     * Unenrolls an agent: an UNENROLL action it receives at its next checkin (it acknowledges, and the
     * acknowledgement makes it inactive); with {@code revoke}, at once: its API keys invalidated, the agent
     * inactive.
     */
    public void unenroll(String id, boolean force, boolean revoke) {
        Agent agent = require(id);
        policyOf(agent).filter(AgentPolicy::isManaged).filter(p -> !force).ifPresent(policy -> {
            throw ManagementException.hostedPolicy(
                    "Cannot unenroll " + id + " from a hosted agent policy " + policy.id());
        });
        if (revoke) {
            List<String> keys = apiKeyIds(agent);
            KeyInvalidation.invalidate(apiKeys, keys);
            ObjectNode fields = NODES.objectNode();
            fields.put("active", false);
            fields.put("unenrolled_at", now());
            fields.put("updated_at", now());
            agents.update(id, fields);
            log.info("Agent {} unenrolled and its {} API keys invalidated", id, keys.size());
            return;
        }
        actions.create("UNENROLL", List.of(id), null, null, namespaces(agent));
        ObjectNode fields = NODES.objectNode();
        fields.put("unenrollment_started_at", now());
        fields.put("updated_at", now());
        agents.update(id, fields);
        log.info("Agent {}: UNENROLL action created", id);
    }

    /** Moves an agent to another policy: its fields as Kibana sets them, and a POLICY_REASSIGN action. */
    public void reassign(String id, String policyId) {
        AgentPolicy target = policies.find(policyId)
                .orElseThrow(() -> ManagementException.notFound("Agent policy not found: " + policyId));
        if (target.isManaged()) {
            throw ManagementException.hostedPolicy("Cannot reassign agents to hosted agent policy " + policyId);
        }
        Agent agent = require(id);
        policyOf(agent).filter(AgentPolicy::isManaged).ifPresent(current -> {
            throw ManagementException.hostedPolicy("Cannot reassign an agent from hosted agent policy " + current.id());
        });
        ObjectNode fields = NODES.objectNode();
        fields.put("policy_id", policyId);
        fields.put("policy_base_id", policyId.replaceFirst("#.*$", ""));
        fields.putNull("policy_revision_idx");
        if (target.attributes().path("space_ids").isArray()) {
            fields.set("namespaces", target.attributes().get("space_ids").deepCopy());
        }
        fields.put("updated_at", now());
        agents.update(id, fields);
        ObjectNode data = NODES.objectNode().put("policy_id", policyId);
        actions.create("POLICY_REASSIGN", List.of(id), data, null, namespaces(agent));
        log.info("Agent {} reassigned to policy {}", id, policyId);
    }

    /** An UPGRADE action after Kibana's checks (against this server's version instead of Kibana's). */
    public void upgrade(
            String id, String version, @Nullable String sourceUri, boolean force, boolean skipRateLimitCheck) {
        SemanticVersion target = java.util.Objects.requireNonNull(SemanticVersion.coerce(version));
        upgrades.checkAgainstServer(target, force);
        Agent agent = require(id);
        ObjectNode source = agent.source();
        if (present(source, "unenrollment_started_at") || present(source, "unenrolled_at")) {
            throw ManagementException.invalid("cannot upgrade an unenrolling or unenrolled agent");
        }
        if (!force && AgentUpgrades.isUpgrading(source)) {
            throw ManagementException.invalid("agent " + id + " is already upgrading");
        }
        if (!force && !skipRateLimitCheck) {
            String problem = AgentUpgrades.notUpgradeable(source, target);
            if (problem != null) {
                throw ManagementException.invalid("Agent " + id + " is not upgradeable: " + problem);
            }
        }
        policyOf(agent).filter(AgentPolicy::isManaged).ifPresent(policy -> {
            throw ManagementException.hostedPolicy(
                    "Cannot upgrade agent " + id + " in hosted agent policy " + policy.id());
        });
        ObjectNode data = NODES.objectNode().put("version", version);
        if (sourceUri != null) {
            data.put("sourceURI", sourceUri);
            // Fleet Server reads the 8.x name; Kibana 9 writes only sourceURI, which agents then never see.
            data.put("source_uri", sourceUri);
        }
        actions.create("UPGRADE", List.of(id), data, data.deepCopy(), namespaces(agent));
        ObjectNode fields = NODES.objectNode();
        fields.putNull("upgraded_at");
        fields.put("upgrade_started_at", now());
        agents.update(id, fields);
        log.info("Agent {}: UPGRADE action to {} created", id, version);
    }

    /** {@code POST /agents/{id}/actions}: an action of the given type for this agent. */
    public ObjectNode createAction(String id, ObjectNode action) {
        Agent agent = require(id);
        ActionDocument created = actions.create(
                action.path("type").asString(),
                List.of(id),
                action.get("data"),
                action.get("ack_data"),
                namespaces(agent));
        return KibanaActions.response(created);
    }

    // ------------------------------------------------------------------ helpers

    private Agent require(String id) {
        return agents.findById(id).orElseThrow(() -> agentNotFound(id));
    }

    private static ManagementException agentNotFound(String id) {
        return ManagementException.notFound("Agent " + id + " not found");
    }

    private Optional<AgentPolicy> policyOf(Agent agent) {
        String policyId = agent.policyId();
        return policyId == null ? Optional.empty() : policies.find(policyId);
    }

    private static List<String> namespaces(Agent agent) {
        List<String> namespaces = new ArrayList<>();
        agent.source().path("namespaces").forEach(n -> namespaces.add(n.asString()));
        return namespaces.isEmpty() ? List.of("default") : namespaces;
    }

    /** Every API key the agent holds or held: access, outputs (current and retiring), legacy default keys. */
    private static List<String> apiKeyIds(Agent agent) {
        Set<String> ids = new LinkedHashSet<>();
        ObjectNode source = agent.source();
        addText(ids, source.get("access_api_key_id"));
        addText(ids, source.get("default_api_key_id"));
        source.path("default_api_key_history").forEach(entry -> addText(ids, entry.get("id")));
        source.path("outputs").forEach(output -> {
            addText(ids, output.get("api_key_id"));
            output.path("to_retire_api_key_ids").forEach(entry -> addText(ids, entry.get("id")));
        });
        return List.copyOf(ids);
    }

    private static void addText(Set<String> ids, @Nullable JsonNode value) {
        if (value != null && value.isString() && !value.asString().isEmpty()) {
            ids.add(value.asString());
        }
    }

    private static boolean present(ObjectNode agent, String field) {
        JsonNode value = agent.get(field);
        return value != null && !value.isNull();
    }

    static Kuery.Fields fields(FleetAgents.Scanned scanned) {
        return Kuery.fieldsOf(scanned.agent().source(), field -> switch (field) {
            case "status" -> List.of(NODES.stringNode(scanned.status().wireName()));
            case "id", "_id", "agent.id" ->
                List.of(NODES.stringNode(scanned.agent().id()));
            default -> null;
        });
    }

    /** Sorted by one field, values missing last in either direction (as Elasticsearch sorts). */
    private static Comparator<FleetAgents.Scanned> order(String sortField, boolean ascending) {
        String field = sortField.endsWith(".keyword") ? sortField.substring(0, sortField.length() - 8) : sortField;
        Comparator<FleetAgents.Scanned> primary = (x, y) -> {
            int compared = compare(value(x, field), value(y, field));
            boolean missing = value(x, field) == null || value(y, field) == null;
            return ascending || missing ? compared : -compared;
        };
        // Kibana's tie-breaker: the host name, ascending.
        return primary.thenComparing(s -> value(s, "local_metadata.host.hostname"), AgentManagementService::compare)
                .thenComparing(s -> s.agent().id());
    }

    private static @Nullable JsonNode value(FleetAgents.Scanned scanned, String field) {
        List<JsonNode> values = fields(scanned).values(field);
        return values.isEmpty() ? null : values.getFirst();
    }

    /** Missing values sort last, as in Elasticsearch. */
    private static int compare(@Nullable JsonNode a, @Nullable JsonNode b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.asDouble(), b.asDouble());
        }
        return a.asString().compareTo(b.asString());
    }

    private String now() {
        return Timestamps.format(clock.instant());
    }
}
