package dev.fleetserver.management.policies;

import static dev.fleetserver.management.Privilege.FLEET_AGENTS_READ;
import static dev.fleetserver.management.Privilege.FLEET_AGENT_POLICIES_ALL;
import static dev.fleetserver.management.Privilege.FLEET_AGENT_POLICIES_READ;
import static dev.fleetserver.management.Privilege.FLEET_SETUP;

import dev.fleetserver.management.Kuery;
import dev.fleetserver.management.ManagementController;
import dev.fleetserver.management.ManagementException;
import dev.fleetserver.management.Paging;
import dev.fleetserver.management.Requests;
import dev.fleetserver.management.RequiresPrivilege;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** {@code /api/fleet/agent_policies}: Kibana's agent-policy endpoints, privileges and answers. */
@ManagementController
class AgentPolicyController {

    private static final String BASE = "/api/fleet/agent_policies";

    private final AgentPolicyService policies;

    AgentPolicyController(AgentPolicyService policies) {
        this.policies = policies;
    }

    @GetMapping(BASE)
    @RequiresPrivilege(anyOf = {FLEET_AGENT_POLICIES_READ, FLEET_AGENTS_READ, FLEET_SETUP})
    ObjectNode list(HttpServletRequest request) {
        ObjectNode query = Requests.query(request, AgentPolicySchemas.LIST_QUERY);
        boolean counts = query.path("withAgentCount").asBoolean(false)
                || (query.has("noAgentCount") && !query.path("noAgentCount").asBoolean());
        return policies.list(
                Paging.of(query),
                Kuery.parse(query.path("kuery").asString(null), "kuery"),
                query.path("sortField").asString("updated_at"),
                query.path("sortOrder").asString("desc").equals("asc"),
                counts,
                query.path("full").asBoolean(false));
    }

    @PostMapping(BASE)
    @RequiresPrivilege(anyOf = FLEET_AGENT_POLICIES_ALL)
    ObjectNode create(HttpServletRequest request, @RequestBody(required = false) @Nullable String body) {
        Requests.query(request, AgentPolicySchemas.CREATE_QUERY);
        ObjectNode checked = Requests.body(body, AgentPolicySchemas.CREATE);
        refuseUnsupported(checked);
        return item(policies.create(checked, Requests.operator(request).id()));
    }

    @GetMapping(BASE + "/{id}")
    @RequiresPrivilege(anyOf = {FLEET_AGENT_POLICIES_READ, FLEET_AGENTS_READ, FLEET_SETUP})
    ObjectNode get(HttpServletRequest request, @PathVariable String id) {
        Requests.query(request, AgentPolicySchemas.FORMAT_QUERY);
        return item(policies.get(id));
    }

    @PutMapping(BASE + "/{id}")
    @RequiresPrivilege(anyOf = FLEET_AGENT_POLICIES_ALL)
    ObjectNode update(
            HttpServletRequest request, @PathVariable String id, @RequestBody(required = false) @Nullable String body) {
        Requests.query(request, AgentPolicySchemas.FORMAT_QUERY);
        ObjectNode checked = Requests.body(body, AgentPolicySchemas.UPDATE);
        refuseUnsupported(checked);
        return item(policies.update(id, checked, Requests.operator(request).id()));
    }

    @GetMapping(BASE + "/{id}/full")
    @RequiresPrivilege(anyOf = FLEET_AGENT_POLICIES_READ)
    ObjectNode full(HttpServletRequest request, @PathVariable String id) {
        ObjectNode query = Requests.query(request, AgentPolicySchemas.FULL_QUERY);
        if (query.path("kubernetes").asBoolean(false)) {
            throw ManagementException.invalid("Kubernetes manifests are not available from this server");
        }
        return item(policies.full(id, query.path("standalone").asBoolean(false)));
    }

    @PostMapping(BASE + "/delete")
    @RequiresPrivilege(anyOf = FLEET_AGENT_POLICIES_ALL)
    ObjectNode delete(@RequestBody(required = false) @Nullable String body) {
        ObjectNode checked = Requests.body(body, AgentPolicySchemas.DELETE);
        return policies.delete(
                checked.path("agentPolicyId").asString(), checked.path("force").asBoolean(false));
    }

    /** What Kibana refuses outside Elastic Cloud, and what this server cannot do. */
    static void refuseUnsupported(ObjectNode body) {
        if (body.path("supports_agentless").asBoolean(false)) {
            throw ManagementException.invalid(
                    "supports_agentless is only allowed in serverless and cloud environments that support the"
                            + " agentless feature");
        }
        if (body.path("is_protected").asBoolean(false)) {
            throw ManagementException.invalid("Tamper protection (is_protected) is not available on this server");
        }
    }

    static ObjectNode item(ObjectNode item) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("item", item);
        return body;
    }
}
