package dev.fleetserver.errors;

import dev.fleetserver.agent.InvalidUserAgentException;
import dev.fleetserver.agent.UnsupportedAgentVersionException;
import dev.fleetserver.api.BadRequestException;
import dev.fleetserver.api.UpstreamFailureException;
import dev.fleetserver.auth.AgentCorruptedException;
import dev.fleetserver.auth.AgentIdentityException;
import dev.fleetserver.auth.AgentInactiveException;
import dev.fleetserver.auth.AgentNotFoundException;
import dev.fleetserver.auth.ApiKeyException;
import dev.fleetserver.enrollment.AgentNotReplaceableException;
import dev.fleetserver.enrollment.EnrollDuplicateException;
import dev.fleetserver.enrollment.PolicyNotFoundException;
import dev.fleetserver.policy.PolicyRenderException;
import dev.fleetserver.store.StoreUnavailableException;
import dev.fleetserver.web.errors.FleetError;
import org.slf4j.event.Level;

/**
 * The one table from exceptions to Fleet's error answers (agent-api §6.2), read top to bottom. Status codes
 * are part of the protocol: agents treat any 401 as a dead key, so each row keeps upstream's code. Labels
 * and messages are copied where agents or their tests may compare them.
 */
final class FleetErrors {

    private FleetErrors() {}

    /** An answer plus how loud to log it. */
    record Mapped(FleetError error, Level level) {
        Mapped(int status, String error, String message, Level level) {
            this(new FleetError(status, error, message), level);
        }
    }

    static Mapped map(Throwable thrown) {
        Throwable ex = thrown;
        while ((ex instanceof java.util.concurrent.CompletionException
                        || ex instanceof java.util.concurrent.ExecutionException)
                && ex.getCause() != null) {
            ex = ex.getCause();
        }
        return switch (ex) {
            case ApiKeyException e -> apiKey(e);
            case AgentIdentityException e -> new Mapped(403, "ErrAgentIdentity", e.getMessage(), Level.INFO);
            case AgentCorruptedException e -> new Mapped(400, "ErrAgentCorrupted", e.getMessage(), Level.WARN);
            case AgentInactiveException e -> new Mapped(401, "ErrAgentInactive", e.getMessage(), Level.INFO);
            case AgentNotFoundException e -> new Mapped(404, "AgentNotFound", e.getMessage(), Level.INFO);
            case InvalidUserAgentException e -> new Mapped(400, "InvalidUserAgent", e.getMessage(), Level.INFO);
            case UnsupportedAgentVersionException e ->
                new Mapped(400, "UnsupportedVersion", e.getMessage(), Level.INFO);
            case AgentNotReplaceableException e -> new Mapped(403, "AgentNotReplaceable", e.getMessage(), Level.INFO);
            case EnrollDuplicateException e -> new Mapped(429, "EnrollDuplicate", e.getMessage(), Level.INFO);
            case PolicyNotFoundException e -> new Mapped(400, "ErrPolicyNotFound", "ErrPolicyNotFound", Level.INFO);
            case BadRequestException e -> new Mapped(400, "BadRequest", e.getMessage(), Level.INFO);
            // Upstream's generic 500 for these (Quirk Q1), with its label and the error text as message.
            case UpstreamFailureException e -> new Mapped(500, "BadRequest", e.getMessage(), Level.INFO);
            case PolicyRenderException e -> new Mapped(500, "BadRequest", e.getMessage(), Level.WARN);
            case StoreUnavailableException e
            when e.reason() == StoreUnavailableException.Reason.UNREACHABLE ->
                new Mapped(
                        503, "ServiceUnavailable", "Fleet server unable to communicate with Elasticsearch", Level.WARN);
            case StoreUnavailableException e -> new Mapped(503, e.getMessage(), "elasticsearch error", Level.WARN);
            // Upstream labels its fallback "BadRequest"; agents never read the label (Quirk Q1), the 500 stays.
            default -> new Mapped(500, "InternalServerError", "internal server error", Level.ERROR);
        };
    }

    private static Mapped apiKey(ApiKeyException e) {
        return switch (e.problem()) {
            case NO_HEADER -> new Mapped(401, "ErrNoAuthHeader", "no authorization header", Level.INFO);
            case MALFORMED_HEADER ->
                new Mapped(400, "ErrMalformedHeader", "malformed authorization header", Level.INFO);
            case INVALID_TOKEN -> new Mapped(401, "ErrInvalidToken", "token not valid utf8", Level.INFO);
            case MALFORMED_TOKEN -> new Mapped(400, "ErrMalformedToken", "malformed token", Level.INFO);
            case REJECTED -> new Mapped(401, "ErrUnauthorized", "unauthorized", Level.INFO);
            case NOT_ENABLED -> new Mapped(401, "Unauthorized", "ApiKey not enabled", Level.INFO);
            case RATE_LIMITED ->
                new Mapped(
                        429,
                        "ElasticsearchAPIKeyAuthLimit",
                        "exceeded the elasticsearch api key auth limit",
                        Level.WARN);
        };
    }
}
