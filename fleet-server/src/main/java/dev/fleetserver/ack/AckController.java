package dev.fleetserver.ack;

import dev.fleetserver.api.BadRequestException;
import dev.fleetserver.limits.EffectiveLimits;
import dev.fleetserver.limits.RequestBodies;
import dev.fleetserver.limits.RequestBodyTooLargeException;
import dev.fleetserver.web.Route;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/fleet/agents/{id}/acks} (agent-api §11). */
@RestController
class AckController {

    private final AckService acks;
    private final long maxBody;

    AckController(AckService acks, EffectiveLimits limits) {
        this.acks = acks;
        this.maxBody = limits.route(Route.ACKS).maxBodyByteSize();
    }

    @PostMapping(path = "/api/fleet/agents/{id}/acks")
    ResponseEntity<byte[]> ack(@PathVariable("id") String agentId, HttpServletRequest request) {
        AckResponse response = acks.ack(
                Collections.list(request.getHeaders("Authorization")), agentId, () -> AckRequest.parse(body(request)));
        // The body is an ack answer whatever the status; agents read it in any case (Quirk Q13).
        return ResponseEntity.status(response.httpStatus())
                .contentType(MediaType.APPLICATION_JSON)
                .body(response.toJson());
    }

    private byte[] body(HttpServletRequest request) {
        try {
            return RequestBodies.read(request.getInputStream(), maxBody);
        } catch (RequestBodyTooLargeException e) {
            throw new BadRequestException("unable to decode ack request", e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
