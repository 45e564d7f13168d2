package dev.fleetserver.web.errors;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes Fleet's error JSON with upstream's headers ({@code application/json; charset=utf-8},
 * {@code X-Content-Type-Options: nosniff}). Used by the exception advice and by filters that answer before
 * a controller runs.
 */
public final class FleetErrorWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public void write(HttpServletResponse response, FleetError error) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = JSON.writeValueAsString(error).getBytes(StandardCharsets.UTF_8);
        response.resetBuffer();
        response.setStatus(error.statusCode());
        response.setHeader("Content-Type", "application/json; charset=utf-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    public void write(HttpServletResponse response, int status, String error, String message) throws IOException {
        write(response, new FleetError(status, error, message));
    }

    /** Upstream's router answer for a path that matches no route. */
    public void writeNotFound(HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        byte[] body = "404 page not found\n".getBytes(StandardCharsets.UTF_8);
        response.resetBuffer();
        response.setStatus(404);
        response.setHeader("Content-Type", "text/plain; charset=utf-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
