package dev.fleetserver.management;

import dev.fleetserver.web.Listener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.HttpRequestHandler;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Routes requests of the management listener, and only those, to {@link ManagementController}s. It comes before
 * Spring's own mapping, and {@link NotFound} right after it answers every other management request: a path or
 * method it does not know gets Kibana's {@code 404 Not Found} (Kibana answers a wrong method with 404 too), so
 * agent routes never answer on this listener. Requests of the agent listener pass both untouched, so management
 * paths are unknown there.
 */
final class ManagementHandlerMapping extends RequestMappingHandlerMapping {

    ManagementHandlerMapping() {
        setOrder(Ordered.HIGHEST_PRECEDENCE);
    }

    @Override
    protected boolean isHandler(Class<?> beanType) {
        return AnnotatedElementUtils.hasAnnotation(beanType, ManagementController.class);
    }

    @Override
    protected @Nullable HandlerMethod getHandlerInternal(HttpServletRequest request) throws Exception {
        return isManagement(request) ? super.getHandlerInternal(request) : null;
    }

    /** Error dispatches go to the container's error page, as on the agent listener. */
    private static boolean isManagement(HttpServletRequest request) {
        return Listener.of(request) == Listener.MANAGEMENT && request.getDispatcherType() != DispatcherType.ERROR;
    }

    @Override
    protected @Nullable HandlerMethod handleNoMatch(
            Set<RequestMappingInfo> infos, String lookupPath, HttpServletRequest request) {
        return null;
    }

    /** The management listener's answer for everything {@link ManagementHandlerMapping} does not route. */
    static final class NotFound extends AbstractHandlerMapping {

        private static final HttpRequestHandler NOT_FOUND =
                (request, response) -> KibanaErrors.write(response, 404, "Not Found");

        NotFound() {
            setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        }

        @Override
        protected @Nullable Object getHandlerInternal(HttpServletRequest request) {
            return isManagement(request) ? NOT_FOUND : null;
        }
    }
}
