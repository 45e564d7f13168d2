package dev.fleetserver.management;

import org.apache.catalina.connector.Connector;

/**
 * The management listener: a second connector of the server's Tomcat, plain HTTP on {@code fleet.management.host}
 * and {@code port} (default {@code 127.0.0.1:8222}).
 */
public final class ManagementListener {

    private final Connector connector;

    ManagementListener(Connector connector) {
        this.connector = connector;
    }

    Connector connector() {
        return connector;
    }

    /** The bound port (the system's choice when configured as 0), or -1 before the server started. */
    public int port() {
        return connector.getLocalPort();
    }
}
