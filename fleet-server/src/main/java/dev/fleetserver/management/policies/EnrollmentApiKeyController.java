package dev.fleetserver.management.policies;

import static dev.fleetserver.management.Privilege.FLEET_AGENTS_ALL;
import static dev.fleetserver.management.Privilege.FLEET_SETUP;
import static dev.fleetserver.management.Schema.bool;
import static dev.fleetserver.management.Schema.maybe;
import static dev.fleetserver.management.Schema.number;
import static dev.fleetserver.management.Schema.object;
import static dev.fleetserver.management.Schema.string;

import dev.fleetserver.management.Kuery;
import dev.fleetserver.management.ManagementController;
import dev.fleetserver.management.Paging;
import dev.fleetserver.management.Requests;
import dev.fleetserver.management.RequiresPrivilege;
import dev.fleetserver.management.Schema;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** {@code /api/fleet/enrollment_api_keys}: Kibana's enrollment-key endpoints. */
@ManagementController
class EnrollmentApiKeyController {

    private static final String BASE = "/api/fleet/enrollment_api_keys";

    private static final Schema.ObjectSchema CREATE = object().field("policy_id", string())
            .field("name", maybe(string()))
            .field(
                    "expiration",
                    maybe(string().maxLength(20)
                            .rule(value -> value.matches("^\\d+(d|h|m|s)$")
                                    ? null
                                    : "expiration must be a valid duration (e.g. 7d, 24h, 30m, 60s)")));

    private static final Schema.ObjectSchema LIST_QUERY = object().field("page", maybe(number()))
            .field("perPage", maybe(number()))
            .field("kuery", maybe(string()));

    private static final Schema.ObjectSchema DELETE_QUERY =
            object().field("forceDelete", maybe(bool())).field("includeHidden", maybe(bool()));

    private final EnrollmentApiKeyService keys;

    EnrollmentApiKeyController(EnrollmentApiKeyService keys) {
        this.keys = keys;
    }

    @GetMapping(BASE)
    @RequiresPrivilege(anyOf = {FLEET_AGENTS_ALL, FLEET_SETUP})
    ObjectNode list(HttpServletRequest request) {
        ObjectNode query = Requests.query(request, LIST_QUERY);
        return keys.list(Paging.of(query), Kuery.parse(query.path("kuery").asString(null), "kuery"));
    }

    @PostMapping(BASE)
    @RequiresPrivilege(anyOf = FLEET_AGENTS_ALL)
    ObjectNode create(@RequestBody(required = false) @Nullable String body) {
        ObjectNode checked = Requests.body(body, CREATE);
        ObjectNode answer = AgentPolicyController.item(keys.create(
                checked.path("policy_id").asString(),
                checked.path("name").asString(null),
                checked.path("expiration").asString(null)));
        answer.put("action", "created");
        return answer;
    }

    @GetMapping(BASE + "/{id}")
    @RequiresPrivilege(anyOf = {FLEET_AGENTS_ALL, FLEET_SETUP})
    ObjectNode get(@PathVariable String id) {
        return AgentPolicyController.item(keys.get(id));
    }

    @DeleteMapping(BASE + "/{id}")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_ALL)
    ObjectNode delete(HttpServletRequest request, @PathVariable String id) {
        ObjectNode query = Requests.query(request, DELETE_QUERY);
        keys.delete(id, query.path("forceDelete").asBoolean(false));
        return JsonNodeFactory.instance.objectNode().put("action", "deleted");
    }
}
