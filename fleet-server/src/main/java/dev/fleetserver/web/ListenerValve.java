package dev.fleetserver.web;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * Marks requests that arrived through the given connector as {@link Listener#MANAGEMENT}, before any filter
 * runs. Comparing the connector itself, not a port number, keeps it right when both ports are chosen by the
 * system (port 0).
 */
public final class ListenerValve extends ValveBase {

    private final Connector management;

    public ListenerValve(Connector management) {
        super(true);
        this.management = management;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (request.getConnector() == management) {
            request.setAttribute(Listener.ATTRIBUTE, Listener.MANAGEMENT);
        }
        getNext().invoke(request, response);
    }
}
