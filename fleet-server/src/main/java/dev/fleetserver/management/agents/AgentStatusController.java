package dev.fleetserver.management.agents;

import static dev.fleetserver.management.Privilege.FLEET_AGENTS_READ;
import static dev.fleetserver.management.Schema.arrayOf;
import static dev.fleetserver.management.Schema.maybe;
import static dev.fleetserver.management.Schema.number;
import static dev.fleetserver.management.Schema.object;
import static dev.fleetserver.management.Schema.oneOf;
import static dev.fleetserver.management.Schema.string;
import static dev.fleetserver.management.Schema.withDefault;

import dev.fleetserver.management.Kuery;
import dev.fleetserver.management.ManagementController;
import dev.fleetserver.management.Requests;
import dev.fleetserver.management.RequiresPrivilege;
import dev.fleetserver.management.Schema;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /api/fleet/agent_status} and {@code GET /api/fleet/agents/action_status}. */
@ManagementController
class AgentStatusController {

    private static final Schema.ObjectSchema STATUS_QUERY = object().field("policyId", maybe(string()))
            .field("policyIds", maybe(oneOf(arrayOf(string()), string())))
            .field("kuery", maybe(string()));

    private static final Schema.ObjectSchema ACTION_STATUS_QUERY = object().field(
                    "page", withDefault(number().min(0), JsonNodeFactory.instance.numberNode(0)))
            .field("perPage", withDefault(number().min(0), JsonNodeFactory.instance.numberNode(20)))
            .field(
                    "date",
                    maybe(string().rule(
                                    value -> AgentStatusController.date(value) == null ? "not a valid date" : null)))
            .field("latest", maybe(number().min(0)))
            .field("errorSize", withDefault(number().min(0), JsonNodeFactory.instance.numberNode(5)));

    private final AgentStatusService statuses;
    private final ActionStatusService actionStatuses;

    AgentStatusController(AgentStatusService statuses, ActionStatusService actionStatuses) {
        this.statuses = statuses;
        this.actionStatuses = actionStatuses;
    }

    @GetMapping("/api/fleet/agent_status")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_READ)
    ObjectNode agentStatus(HttpServletRequest request) {
        ObjectNode query = Requests.query(request, STATUS_QUERY);
        List<String> policyIds = new ArrayList<>();
        if (query.path("policyId").isString()) {
            policyIds.add(query.path("policyId").asString());
        }
        if (query.path("policyIds").isString()) {
            policyIds.add(query.path("policyIds").asString());
        }
        query.path("policyIds").forEach(id -> policyIds.add(id.asString()));
        return statuses.summary(policyIds, Kuery.parse(query.path("kuery").asString(null), "kuery"));
    }

    @GetMapping("/api/fleet/agents/action_status")
    @RequiresPrivilege(anyOf = FLEET_AGENTS_READ)
    ObjectNode actionStatus(HttpServletRequest request) {
        ObjectNode query = Requests.query(request, ACTION_STATUS_QUERY);
        Instant from = null;
        Instant until = null;
        boolean policyChanges = true;
        if (query.path("date").isString()) {
            from = date(query.path("date").asString());
            until = from == null ? null : from.plus(Duration.ofDays(1));
        }
        if (query.path("latest").isNumber()) {
            until = Instant.now();
            from = until.minusMillis(query.path("latest").asLong());
            policyChanges = false;
        }
        return actionStatuses.status(
                query.path("page").asInt(),
                query.path("perPage").asInt(),
                from,
                until,
                policyChanges,
                query.path("errorSize").asInt());
    }

    /** A date or date-time, as {@code Date.parse} would read the common forms; null when unreadable. */
    static @Nullable Instant date(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }
}
