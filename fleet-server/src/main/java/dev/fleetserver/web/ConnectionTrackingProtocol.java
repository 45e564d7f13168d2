package dev.fleetserver.web;

import java.nio.channels.SocketChannel;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.NioEndpoint;

/**
 * Tomcat's NIO HTTP/1.1 protocol with an endpoint that reports each accepted and each closed connection, for
 * upstream's {@code http_server.tcp_*} metrics. Tomcat creates protocols by class name, so the listener is
 * attached afterwards by a connector customizer.
 */
public class ConnectionTrackingProtocol extends Http11NioProtocol {

    public ConnectionTrackingProtocol() {
        super(new TrackingEndpoint());
    }

    public void setConnectionListener(ConnectionListener listener) {
        ((TrackingEndpoint) getEndpoint()).listener = listener;
    }

    private static final class TrackingEndpoint extends NioEndpoint {

        private volatile ConnectionListener listener = ConnectionListener.NONE;

        @Override
        protected boolean setSocketOptions(SocketChannel socket) {
            listener.opened();
            return super.setSocketOptions(socket);
        }

        @Override
        protected long countDownConnection() {
            listener.closed();
            return super.countDownConnection();
        }
    }
}
