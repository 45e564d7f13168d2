package dev.fleetserver.web;

import dev.fleetserver.web.errors.FleetErrorWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Checks that run once a request is routed (so 404 and 405 answers skip them, as upstream's do): headers that
 * may appear only once, then {@code Elastic-Api-Version} (agent-api §3 step 6–7, §4.2).
 */
public class RequestHeadersInterceptor implements HandlerInterceptor {

    public static final String API_VERSION_HEADER = "Elastic-Api-Version";
    public static final String SUPPORTED_API_VERSION = "2023-06-01";

    private static final List<String> SINGLE_VALUED = List.of(
            "X-Request-Id", API_VERSION_HEADER, "User-Agent", "X-Chunk-SHA2", "Accept-Encoding", "Content-Encoding");
    private static final Pattern DATE = Pattern.compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");

    private final FleetErrorWriter errors;

    public RequestHeadersInterceptor(FleetErrorWriter errors) {
        this.errors = errors;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        String method = request.getMethod();
        if (method.equals("HEAD") || method.equals("OPTIONS")) {
            // Spring answers HEAD and OPTIONS for every route itself; upstream's router does not.
            response.setHeader("Allow", Route.of(request).map(Route::methods).orElse("GET"));
            response.setStatus(405);
            return false;
        }
        for (String name : SINGLE_VALUED) {
            int count = Collections.list(request.getHeaders(name)).size();
            if (count > 1) {
                // Upstream fails parameter binding here and answers through its generic 500 (Quirk Q1).
                errors.write(response, 500, "BadRequest", "Expected one value for " + name + ", got " + count);
                return false;
            }
        }
        String version = request.getHeader(API_VERSION_HEADER);
        if (version == null || version.isEmpty()) {
            response.setHeader(API_VERSION_HEADER, SUPPORTED_API_VERSION);
            return true;
        }
        if (version.equals(SUPPORTED_API_VERSION)) {
            response.setHeader(API_VERSION_HEADER, version);
            return true;
        }
        response.setHeader(API_VERSION_HEADER, SUPPORTED_API_VERSION);
        if (!DATE.matcher(version).matches()) {
            errors.write(
                    response,
                    400,
                    "ErrInvalidAPIVersionFormat",
                    "received \"" + version
                            + "\", expected a valid date string formatted as YYYY-MM-DD. invalid version format");
        } else {
            errors.write(
                    response,
                    400,
                    "ErrUnsupportedAPIVersion",
                    "received \"" + version + "\", is not supported. supported versions are: [" + SUPPORTED_API_VERSION
                            + "] version is not supported");
        }
        return false;
    }
}
