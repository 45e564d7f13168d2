package dev.fleetserver.web.errors;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Replaces Spring Boot's error page: errors raised outside a controller (a filter, the container) still get
 * Fleet's JSON without a stack trace, and {@code /error} itself is not a route agents can see.
 */
@Controller
public class FleetErrorController implements ErrorController {

    private final FleetErrorWriter writer;

    public FleetErrorController(FleetErrorWriter writer) {
        this.writer = writer;
    }

    @RequestMapping("/error")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (!(status instanceof Integer code) || code == 404) {
            writer.writeNotFound(response);
            return;
        }
        if (response.getHeader("X-Request-Id") == null) {
            // Requests the container refused before any filter ran (e.g. TRACE) still get an id.
            response.setHeader("X-Request-Id", java.util.UUID.randomUUID().toString());
        }
        if (code == 405) {
            response.setStatus(405); // the router's empty answer; the container already set Allow
            return;
        }
        HttpStatus known = HttpStatus.resolve(code);
        String label = known == null ? "Error" : known.getReasonPhrase().replace(" ", "");
        String message = known == null ? "error" : known.getReasonPhrase().toLowerCase(java.util.Locale.ROOT);
        writer.write(response, code, label, message);
    }
}
