package dev.fleetserver.management;

import dev.fleetserver.store.StoreUnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/**
 * Every exception of a management controller as Kibana's error body, in one table: validation and request
 * errors 400, missing things 404, conflicts 409, an unavailable store 503, anything else 500 with hapi's
 * generic message (the cause is logged, never sent).
 */
@RestControllerAdvice(annotations = ManagementController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class KibanaErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(KibanaErrorAdvice.class);

    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone() {}

    @ExceptionHandler(Throwable.class)
    void error(Throwable e, HttpServletRequest request, HttpServletResponse response) throws IOException {
        String route = request.getMethod() + " " + request.getRequestURI();
        switch (e) {
            case Schema.Violation violation -> KibanaErrors.write(response, 400, violation.getMessage());
            case ManagementException failure -> {
                log.debug("{} refused: {}", route, failure.getMessage());
                KibanaErrors.write(response, failure.kind().status(), failure.getMessage());
            }
            case StoreUnavailableException unavailable -> {
                log.warn("{} failed: {}", route, unavailable.getMessage());
                KibanaErrors.write(response, 503, unavailable.getMessage());
            }
            default -> {
                log.error("{} failed: {}", route, e.toString(), e);
                KibanaErrors.write(response, 500, "An internal server error occurred.");
            }
        }
    }
}
