package dev.fleetserver.management;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The privileges a management endpoint needs, as Kibana declares them for the route: the operator must hold at
 * least one of them.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface RequiresPrivilege {

    Privilege[] anyOf();
}
