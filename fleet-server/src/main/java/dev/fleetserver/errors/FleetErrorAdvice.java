package dev.fleetserver.errors;

import dev.fleetserver.web.errors.FleetError;
import dev.fleetserver.web.errors.FleetErrorWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Turns every exception a controller throws into Fleet's answer through {@link FleetErrors}; nothing reaches
 * the client as a stack trace. Unknown paths get upstream router's plain-text 404, wrong methods a 405 with
 * {@code Allow} and an empty body.
 */
@RestControllerAdvice
public class FleetErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(FleetErrorAdvice.class);

    private final FleetErrorWriter writer;

    public FleetErrorAdvice(FleetErrorWriter writer) {
        this.writer = writer;
    }

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    void notFound(HttpServletResponse response) throws IOException {
        writer.writeNotFound(response);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    void methodNotAllowed(HttpRequestMethodNotSupportedException e, HttpServletResponse response) {
        Set<HttpMethod> allowed = e.getSupportedHttpMethods();
        if (allowed != null && !allowed.isEmpty()) {
            response.setHeader(
                    "Allow",
                    String.join(
                            ", ",
                            allowed.stream().map(HttpMethod::name).sorted().toList()));
        }
        response.setStatus(405);
    }

    /** The agent went away while its answer was being written: nothing left to answer. */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone() {}

    @ExceptionHandler(Throwable.class)
    void fleetError(Throwable e, HttpServletRequest request, HttpServletResponse response) throws IOException {
        FleetErrors.Mapped mapped = FleetErrors.map(e);
        FleetError error = mapped.error();
        String route = request.getMethod() + " " + request.getRequestURI();
        switch (mapped.level()) {
            case ERROR -> log.error("{} failed: {} {}: {}", route, error.statusCode(), error.error(), e.toString(), e);
            case WARN -> log.warn("{} failed: {} {}: {}", route, error.statusCode(), error.error(), e.getMessage());
            default -> log.debug("{} failed: {} {}", route, error.statusCode(), error.error());
        }
        writer.write(response, error);
    }
}
