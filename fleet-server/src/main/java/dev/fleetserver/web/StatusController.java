package dev.fleetserver.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fleetserver.auth.ApiKey;
import dev.fleetserver.auth.ApiKeyAuthenticator;
import dev.fleetserver.auth.ApiKeyException;
import dev.fleetserver.config.ServerVersion;
import dev.fleetserver.health.HealthState;
import dev.fleetserver.health.ServerHealth;
import dev.fleetserver.store.StoreUnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/status} (agent-api §12): the server's state, 200 only when {@code HEALTHY}. A caller with a
 * valid API key also gets the version; any authentication problem silently gives the short answer.
 */
@RestController
class StatusController {

    private final ServerHealth health;
    private final ApiKeyAuthenticator authenticator;
    private final ServerVersion version;

    StatusController(ServerHealth health, ApiKeyAuthenticator authenticator, ServerVersion version) {
        this.health = health;
        this.authenticator = authenticator;
        this.version = version;
    }

    @GetMapping(path = "/api/status", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<StatusResponse> status(HttpServletRequest request) {
        boolean authenticated = isAuthenticated(Collections.list(request.getHeaders("Authorization")));
        HealthState state = health.state();
        var body = new StatusResponse(
                "fleet-server",
                state.name(),
                authenticated
                        ? new StatusResponse.Version(version.number(), version.buildHash(), version.buildTime())
                        : null);
        return ResponseEntity.status(state.isReady() ? 200 : 503).body(body);
    }

    private boolean isAuthenticated(List<String> authorization) {
        if (authorization.isEmpty()) {
            return false;
        }
        try {
            authenticator.authenticate(ApiKey.fromAuthorizationHeaders(authorization));
            return true;
        } catch (ApiKeyException | StoreUnavailableException e) {
            return false;
        }
    }

    /** The status body; {@code version} only for authenticated callers. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StatusResponse(
            String name, String status, @Nullable Version version) {

        record Version(
                String number,
                @JsonProperty("build_hash") String buildHash,
                @JsonProperty("build_time") String buildTime) {}
    }
}
