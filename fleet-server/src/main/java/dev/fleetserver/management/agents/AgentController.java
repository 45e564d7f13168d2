package dev.fleetserver.management.agents;

import static dev.fleetserver.management.Privilege.FLEET_AGENTS_ALL;
import static dev.fleetserver.management.Privilege.FLEET_AGENTS_READ;
import static dev.fleetserver.management.Schema.any;
import static dev.fleetserver.management.Schema.arrayOf;
import static dev.fleetserver.management.Schema.bool;
import static dev.fleetserver.management.Schema.literal;
import static dev.fleetserver.management.Schema.literalNull;
import static dev.fleetserver.management.Schema.maybe;
import static dev.fleetserver.management.Schema.number;
import static dev.fleetserver.management.Schema.object;
import static dev.fleetserver.management.Schema.oneOf;
import static dev.fleetserver.management.Schema.recordOf;
import static dev.fleetserver.management.Schema.string;

import dev.fleetserver.management.Kuery;
import dev.fleetserver.management.ManagementController;
import dev.fleetserver.management.ManagementException;
import dev.fleetserver.management.Paging;
import dev.fleetserver.management.Requests;
import dev.fleetserver.management.RequiresPrivilege;
import dev.fleetserver.management.Schema;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** {@code /api/fleet/agents...}: Kibana's agent endpoints. */
@ManagementController
class AgentController {

    private static final String BASE = "/api/fleet/agents";

    private static final Schema.ObjectSchema LIST_QUERY = object().field("page", maybe(number()))
            .field("perPage", maybe(number()))
            .field("kuery", maybe(string()))
            .field("showAgentless", maybe(bool()))
            .field("showInactive", maybe(bool()))
            .field("withMetrics", maybe(bool()))
            .field("showUpgradeable", maybe(bool()))
            .field("getStatusSummary", maybe(bool()))
            .field("sortField", maybe(string()))
            .field("sortOrder", maybe(oneOf(literal("asc"), literal("desc"))))
            .field("searchAfter", maybe(string()))
            .field("openPit", maybe(bool()))
            .field("pitId", maybe(string()))
            .field("pitKeepAlive", maybe(string()));

    private static final Schema.ObjectSchema GET_QUERY = object().field("withMetrics", maybe(bool()));

    private static final Schema.ObjectSchema UPDATE =
            object().field("user_provided_metadata", maybe(recordOf(any()))).field("tags", maybe(arrayOf(string())));

    private static final Schema.ObjectSchema UNENROLL =
            object().field("force", maybe(bool())).field("revoke", maybe(bool()));

    private static final Schema.ObjectSchema REASSIGN = object().field("policy_id", string());

    private static final Schema.ObjectSchema UPGRADE = object().field("source_uri", maybe(string()))
            .field(
                    "version",
                    string().rule(value -> SemanticVersion.parse(value) == null ? "not a valid semver" : null))
            .field("force", maybe(bool()))
            .field("skipRateLimitCheck", maybe(bool()));

    private static final Schema.ObjectSchema ACTION = object().field(
                    "action",
                    oneOf(
                            object().field(
                                            "type",
                                            oneOf(literal("UNENROLL"), literal("UPGRADE"), literal("POLICY_REASSIGN")))
                                    .field("data", maybe(any()))
                                    .field("ack_data", maybe(any())),
                            object().field("type", literal("SETTINGS"))
                                    .field(
                                            "data",
                                            object().field(
                                                            "log_level",
                                                            oneOf(
                                                                    literal("debug"),
                                                                    literal("info"),
                                                                    literal("warning"),
                                                                    literal("error"),
                                                                    literalNull())))));

    private static final Schema.ObjectSchema BULK_DIAGNOSTICS = object().field(
                    "agents", oneOf(arrayOf(string()), string()))
            .field("batchSize", maybe(number()))
            .field("additional_metrics", maybe(arrayOf(literal("CPU"))))
            .field("exclude_events_log", maybe(bool()));

    private final AgentManagementService agents;
    private final BulkDiagnostics diagnostics;

    AgentController(AgentManagementService agents, BulkDiagnostics diagnostics) {
        this.agents = agents;
        this.diagnostics = diagnostics;
    }

    @GetMapping(BASE)
    @RequiresPrivilege(anyOf = FLEET_AGENTS_READ)
    ObjectNode list(HttpServletRequest request) {
        ObjectNode query = Requests.query(request, LIST_QUERY);
        for (String unsupported : new String[] {"searchAfter", "openPit", "pitId"}) {
            if (query.has(unsupported)) {
                throw ManagementException.invalid(unsupported + " is not supported by this server; use page");
            }
        }
        String kuery = query.path("kuery").asString(null);
        return agents.list(new AgentManagementService.ListRequest(
                Paging.of(query),
                Kuery.parse(kuery, "kuery"),
                kuery,
                query.path("showInactive").asBoolean(false),
                query.path("showUpgradeable").asBoolean(false),
                query.path("getStatusSummary").asBoolean(false),
                query.path("sortField").asString("enrolled_at"),
                query.path("sortOrder").asString("desc").equals("asc")));
    }

    @GetMapping(BASE + "/{agentId}")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_READ)
    ObjectNode get(HttpServletRequest request, @PathVariable String agentId) {
        Requests.query(request, GET_QUERY);
        return item(agents.get(agentId));
    }

    @PutMapping(BASE + "/{agentId}")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_ALL)
    ObjectNode update(@PathVariable String agentId, @RequestBody(required = false) @Nullable String body) {
        ObjectNode checked = Requests.body(body, UPDATE);
        return item(agents.update(agentId, checked.get("tags"), checked.get("user_provided_metadata")));
    }

    @PostMapping(BASE + "/{agentId}/unenroll")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_ALL)
    ObjectNode unenroll(@PathVariable String agentId, @RequestBody(required = false) @Nullable String body) {
        ObjectNode checked = Requests.optionalBody(body, UNENROLL);
        agents.unenroll(
                agentId,
                checked.path("force").asBoolean(false),
                checked.path("revoke").asBoolean(false));
        return JsonNodeFactory.instance.objectNode();
    }

    @PostMapping(BASE + "/{agentId}/reassign")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_ALL)
    ObjectNode reassign(@PathVariable String agentId, @RequestBody(required = false) @Nullable String body) {
        ObjectNode checked = Requests.body(body, REASSIGN);
        agents.reassign(agentId, checked.path("policy_id").asString());
        return JsonNodeFactory.instance.objectNode();
    }

    @PostMapping(BASE + "/{agentId}/upgrade")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_ALL)
    ObjectNode upgrade(@PathVariable String agentId, @RequestBody(required = false) @Nullable String body) {
        ObjectNode checked = Requests.body(body, UPGRADE);
        agents.upgrade(
                agentId,
                checked.path("version").asString(),
                checked.path("source_uri").asString(null),
                checked.path("force").asBoolean(false),
                checked.path("skipRateLimitCheck").asBoolean(false));
        return JsonNodeFactory.instance.objectNode();
    }

    @PostMapping(BASE + "/{agentId}/actions")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_ALL)
    ObjectNode action(@PathVariable String agentId, @RequestBody(required = false) @Nullable String body) {
        ObjectNode checked = Requests.body(body, ACTION);
        return item(agents.createAction(agentId, (ObjectNode) checked.get("action")));
    }

    /** Kibana requires only read privileges here: diagnostics change nothing on the agent. */
    @PostMapping(BASE + "/bulk_request_diagnostics")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_READ)
    ObjectNode bulkRequestDiagnostics(@RequestBody(required = false) @Nullable String body) {
        ObjectNode checked = Requests.body(body, BULK_DIAGNOSTICS);
        List<String> metrics = new ArrayList<>();
        checked.path("additional_metrics").forEach(metric -> metrics.add(metric.asString()));
        JsonNode selection = checked.get("agents");
        String actionId;
        if (selection.isArray()) {
            List<String> ids = new ArrayList<>();
            selection.forEach(id -> ids.add(id.asString()));
            actionId = diagnostics.forAgents(ids, metrics);
        } else {
            actionId = diagnostics.forKuery(Kuery.parse(selection.asString(), "agents"), metrics);
        }
        return JsonNodeFactory.instance.objectNode().put("actionId", actionId);
    }

    static ObjectNode item(ObjectNode item) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("item", item);
        return body;
    }
}
