package dev.fleetserver.enrollment;

import dev.fleetserver.api.BadRequestException;
import dev.fleetserver.api.UpstreamFailureException;
import dev.fleetserver.limits.EffectiveLimits;
import dev.fleetserver.limits.RequestBodies;
import dev.fleetserver.limits.RequestBodyTooLargeException;
import dev.fleetserver.web.Route;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/fleet/agents/enroll} (agent-api §9). */
@RestController
class EnrollmentController {

    private final EnrollmentService enrollment;
    private final long maxBody;

    EnrollmentController(EnrollmentService enrollment, EffectiveLimits limits) {
        this.enrollment = enrollment;
        this.maxBody = limits.route(Route.ENROLL).maxBodyByteSize();
    }

    @PostMapping(path = "/api/fleet/agents/enroll", produces = MediaType.APPLICATION_JSON_VALUE)
    EnrollResponse enroll(HttpServletRequest request) {
        String userAgent = request.getHeader("User-Agent");
        if (userAgent == null) {
            // Upstream fails header binding with its generic 500 (Quirk Q1).
            throw new UpstreamFailureException("Header parameter User-Agent is required, but not found");
        }
        return enrollment.enroll(
                Collections.list(request.getHeaders("Authorization")),
                userAgent,
                () -> EnrollRequest.parse(body(request)));
    }

    private byte[] body(HttpServletRequest request) {
        try {
            return RequestBodies.read(request.getInputStream(), maxBody);
        } catch (RequestBodyTooLargeException e) {
            throw new BadRequestException("unable to decode enroll request", e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
