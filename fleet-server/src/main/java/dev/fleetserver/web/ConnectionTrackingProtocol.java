package dev.fleetserver.web;

import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's NIO HTTP/1.1 protocol with an endpoint that reports each accepted and each closed connection, for
 * upstream's {@code http_server.tcp_*} metrics, and that can close connections beyond a cap at accept time,
 * before any TLS handshake. Tomcat creates protocols by class name, so the listener and the cap are attached
 * afterwards by connector customizers.
 */
public class ConnectionTrackingProtocol extends Http11NioProtocol {

    public ConnectionTrackingProtocol() {
        super(new TrackingEndpoint());
    }

    public void setConnectionListener(ConnectionListener listener) {
        ((TrackingEndpoint) getEndpoint()).listener = listener;
    }

    /** Connections accepted while this many are open are closed at once; 0 = no cap. */
    public void setMaxOpenConnections(long max) {
        ((TrackingEndpoint) getEndpoint()).maxOpen = max;
        // Tomcat stops accepting at its own connection limit; it must let one more in than the cap, or the
        // surplus would wait in the backlog instead of being closed. Tomcat only counts connections while it
        // has a limit of its own, so "unlimited" (-1) is no option here either.
        if (max > 0) {
            setMaxConnections((int) Math.min(Integer.MAX_VALUE, max + 1));
        }
    }

    /** The connections open right now (a copy). */
    Set<SocketWrapperBase<NioChannel>> openConnections() {
        return ((TrackingEndpoint) getEndpoint()).getConnections();
    }

    private static final class TrackingEndpoint extends NioEndpoint {

        private static final Logger log = LoggerFactory.getLogger(ConnectionTrackingProtocol.class);
        private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

        private volatile ConnectionListener listener = ConnectionListener.NONE;
        private volatile long maxOpen;
        private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

        @Override
        protected boolean setSocketOptions(SocketChannel socket) {
            listener.opened();
            long cap = maxOpen;
            // Tomcat has already counted this socket among the open connections.
            if (cap > 0 && getConnectionCount() > cap) {
                warnAtMostEvery10Seconds();
                // As Tomcat does for a socket it could not set up: count it down (reported closed) and close it.
                destroySocket(socket);
                return false;
            }
            return super.setSocketOptions(socket);
        }

        @Override
        protected long countDownConnection() {
            listener.closed();
            return super.countDownConnection();
        }

        /** A flood of connections must not become a flood of log lines. */
        private void warnAtMostEvery10Seconds() {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                log.warn("Connection closed due to max limit (max open connections {})", maxOpen);
            }
        }
    }
}
