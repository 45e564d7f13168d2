package dev.fleetserver.management;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * A controller of the management API. It is deliberately not a {@code @Controller}: Spring's default mapping
 * (the agent listener's routes) never sees it; only the management listener's mapping serves it, and only to
 * requests that arrived on that listener.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
@ResponseBody
public @interface ManagementController {}
