package dev.fleetserver.web;

import jakarta.servlet.ServletRequest;

/**
 * The listener a request arrived on. Both listeners are connectors of one Tomcat, so they share the servlet
 * filters and the dispatcher; the management listener's requests are marked as they enter (by {@link
 * ListenerValve}) and everything that belongs to the agent listener alone (routes, limits, route metrics,
 * header checks) ignores them.
 */
public enum Listener {
    AGENT,
    MANAGEMENT;

    static final String ATTRIBUTE = Listener.class.getName();

    /** The listener of a request; {@link #AGENT} unless the request came through the management connector. */
    public static Listener of(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) == MANAGEMENT ? MANAGEMENT : AGENT;
    }
}
