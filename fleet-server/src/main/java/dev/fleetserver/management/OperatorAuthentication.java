package dev.fleetserver.management;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates every management request once it is routed (an unknown path is a 404 without credentials, as in
 * Kibana), then checks the route's privileges: 401 {@code Unauthorized} without a valid operator key, 403 with
 * Kibana's message when the key lacks them. The operator is available to controllers as {@link #operator}.
 */
final class OperatorAuthentication implements HandlerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(OperatorAuthentication.class);
    private static final String OPERATOR = Operator.class.getName();

    private final OperatorKeys keys;

    OperatorAuthentication(OperatorKeys keys) {
        this.keys = keys;
    }

    /** The operator of a request that passed this check. */
    static Operator operator(HttpServletRequest request) {
        return (Operator) request.getAttribute(OPERATOR);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        if (!(handler instanceof HandlerMethod method)) {
            return true;
        }
        // Kibana's public Fleet routes answer with the version they served.
        response.setHeader("elastic-api-version", "2023-10-31");
        Optional<Operator> operator = keys.authenticate(request.getHeader("Authorization"));
        if (operator.isEmpty()) {
            KibanaErrors.write(response, 401, "Unauthorized");
            return false;
        }
        RequiresPrivilege required = method.getMethodAnnotation(RequiresPrivilege.class);
        if (required != null && !operator.get().holdsAnyOf(required.anyOf())) {
            String query = request.getQueryString();
            String missing =
                    Arrays.stream(required.anyOf()).map(Privilege::kibanaName).collect(Collectors.joining(","));
            String message = "API [" + request.getMethod() + " " + request.getRequestURI()
                    + (query == null ? "" : "?" + query)
                    + "] is unauthorized for user, this action is granted by the Kibana privileges [" + missing + "]";
            log.warn("Operator key {}: {}", operator.get().id(), message);
            KibanaErrors.write(response, 403, message);
            return false;
        }
        request.setAttribute(OPERATOR, operator.get());
        return true;
    }
}
